import { REVOCATION_FAILURES } from '../errors/failureCodes';
import { Refusal } from '../errors/refusal';
import type { VerifiedAccessToken } from '../verify/verifiedAccessToken';
import type { RevocationList, RevocationVerdict } from './revocationList';
import type { RevocationSubject } from './revocationRule';

/** What the guard runs after a token is verified (or served from the verified-token cache) and before authorization. */
export type RevocationCheck = (token: VerifiedAccessToken) => Refusal | undefined | Promise<Refusal | undefined>;

/** The facts a deny rule is matched on, from a verified token. */
export function revocationSubject(token: VerifiedAccessToken): RevocationSubject {
  const { claims } = token;
  const issuedAt = claims.iat ?? claims.nbf;
  return {
    tenantId: token.tenantId,
    // Already lower case: the verifier canonicalises the caller's app ID (and tid).
    clientAppId: token.clientAppId,
    // An unchanged string comes back as itself, so a lower-case oid keeps its cached hash for the lookup.
    objectId: claims.oid?.toLowerCase(),
    uti: claims.uti,
    issuedAt: issuedAt === undefined ? undefined : issuedAt * 1000,
  };
}

/** The list's verdicts as refusals: a revoked token is 401 invalid_token, missing rules 503 with Retry-After. */
export function revocationCheck(list: RevocationList): RevocationCheck {
  return (token) => {
    const verdict = list.check(revocationSubject(token));
    return verdict instanceof Promise ? verdict.then((settled) => refusalFor(settled, token)) : refusalFor(verdict, token);
  };
}

function refusalFor(verdict: RevocationVerdict, token: VerifiedAccessToken): Refusal | undefined {
  const facts = { tenantId: token.tenantId, clientAppId: token.clientAppId, version: token.version };
  switch (verdict.kind) {
    case 'allowed':
      return undefined;
    case 'revoked':
      // The message (telemetry only) says no more than the answer: which rule matched is in the store, not in logs.
      return new Refusal(REVOCATION_FAILURES.token_revoked, 'revocation', 'a revocation rule covers the token', { facts });
    case 'unavailable':
      return new Refusal(REVOCATION_FAILURES.revocation_unavailable, 'revocation.rules', 'no revocation rules younger than the staleness bound', {
        facts,
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
  }
}
