/**
 * Every `check` a refusal can name: the exact rule that failed. They are telemetry
 * dimensions (dashboards and alerts group failures by them), so existing names never change;
 * new checks are added here first, and a misspelt one does not compile. The lists
 * are values too, so tests and tools can enumerate them.
 */

/** Claims the verifier reads; a shape or value problem names `claims.<claim>`. */
export const CLAIM_NAMES = ['iss', 'aud', 'exp', 'nbf', 'iat', 'tid', 'ver', 'oid', 'sub', 'azp', 'azpacr', 'appid', 'appidacr', 'idtyp', 'scp', 'roles', 'uti', 'tfp', 'acr'] as const;
export type ClaimName = (typeof CLAIM_NAMES)[number];

/** JOSE headers a token may not carry (they would choose a key or change processing). */
export const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'enc', 'epk', 'apu', 'apv', 'p2s', 'p2c', 'iv', 'tag'] as const;
export type ForbiddenHeader = (typeof FORBIDDEN_HEADERS)[number];

const CHECKED_HEADERS = ['alg', 'kid', 'typ', 'cty', 'nonce', ...FORBIDDEN_HEADERS] as const;

/** Checks of the token itself: form, JOSE header, claims, key and signature. */
export type TokenCheck =
  | 'size'
  | 'format'
  | 'format.jwe'
  | `${'header' | 'payload' | 'signature'}.encoding`
  | `${'header' | 'payload'}.json`
  | `header.${(typeof CHECKED_HEADERS)[number]}`
  | `claims.${ClaimName}`
  /** exp, nbf and iat together: nbf or iat after exp, or a lifetime no Entra token has. */
  | 'claims.lifetime'
  | 'key.issuer'
  | 'signature';

export const TOKEN_CHECKS: readonly TokenCheck[] = Object.freeze([
  'size',
  'format',
  'format.jwe',
  'header.encoding',
  'payload.encoding',
  'signature.encoding',
  'header.json',
  'payload.json',
  ...CHECKED_HEADERS.map((header) => `header.${header}` as const),
  ...CLAIM_NAMES.map((claim) => `claims.${claim}` as const),
  'claims.lifetime',
  'key.issuer',
  'signature',
]);

/** Loading Entra's discovery document and key set (a 503, not the caller's fault). */
export const KEY_SOURCE_CHECKS = ['openid.fetch', 'openid.invalid', 'jwks.fetch', 'jwks.invalid', 'keys'] as const;
export type KeySourceCheck = (typeof KEY_SOURCE_CHECKS)[number];

/** How the request carries its token (RFC 6750 §2). */
export const REQUEST_CHECKS = ['header.authorization', 'header.multiple_credentials', 'request.query_token', 'request.multiple_methods'] as const;
export type RequestCheck = (typeof REQUEST_CHECKS)[number];

/**
 * The route's policy against the verified caller (`route.<param>`: a tenant route whose
 * parameter differs from `tid`; `claim_rule.<claim>`: a claim rule of the method not met).
 */
export const POLICY_CHECKS = [
  'policy.method',
  'caller.app_only_not_allowed',
  'caller.delegated_not_allowed',
  'caller.no_permissions',
  'claims.roles',
  'claims.scp',
  'policy.authority',
  'policy.authentication_context',
] as const;
export type PolicyCheck = (typeof POLICY_CHECKS)[number] | `route.${string}` | `claim_rule.${string}`;

/** Failures of the app rather than of the request: the verifier or a handler threw. */
export const INTERNAL_CHECKS = ['verifier', 'handler'] as const;
export type InternalCheck = (typeof INTERNAL_CHECKS)[number];

/** The deny list (azure-functions-entra-auth/revocation): a rule refused the token, or the rules could not be read. */
export const REVOCATION_CHECKS = ['revocation', 'revocation.rules'] as const;
export type RevocationCheck = (typeof REVOCATION_CHECKS)[number];

export type CheckName = TokenCheck | KeySourceCheck | RequestCheck | PolicyCheck | InternalCheck | RevocationCheck;

/** A claim rule's check: `claim_rule.` and the claim's name (policy names, never token values). */
export const CLAIM_RULE_CHECK = /^claim_rule\.[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

/** Every fixed check name (route checks are `route.` plus the route's parameter name). */
export const CHECK_NAMES: readonly CheckName[] = Object.freeze([
  ...new Set<CheckName>([...TOKEN_CHECKS, ...KEY_SOURCE_CHECKS, ...REQUEST_CHECKS, ...POLICY_CHECKS, ...INTERNAL_CHECKS, ...REVOCATION_CHECKS]),
]);

export function isCheckName(value: string): value is CheckName {
  return (CHECK_NAMES as readonly string[]).includes(value) || /^route\.[A-Za-z_][A-Za-z0-9_]*$/.test(value) || CLAIM_RULE_CHECK.test(value);
}
