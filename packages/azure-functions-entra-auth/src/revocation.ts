/**
 * azure-functions-entra-auth/revocation: a deny list checked on every request after the
 * token is verified (cached tokens too) and before authorization. The app keeps the rules
 * in its own store and implements RevocationSource over it; createRevocationList keeps
 * them in memory, refreshed at most every few seconds, and createEntraAuth takes the list
 * as its `revocation` option.
 */
export { createRevocationList, type RevocationEvents, type RevocationList, type RevocationListOptions, type RevocationState, type RevocationStatus, type RevocationVerdict } from './revocation/revocationList';
export { buildRevocationIndex, type RevocationIndex } from './revocation/revocationIndex';
export { REVOCATION_RULE_KINDS, type ClientAppRule, type RevocationRule, type RevocationRuleKind, type RevocationSubject, type SubjectRule, type TenantRule, type TokenRule } from './revocation/revocationRule';
export type { RevocationRead, RevocationSource } from './revocation/revocationSource';
export { revocationSubject } from './revocation/revocationCheck';
export { REVOCATION_FAILURES, REVOCATION_FAILURE_CODES, type RevocationFailureCode } from './errors/failureCodes';
