/**
 * Every `check` a refusal can name: the exact rule that failed. They are telemetry
 * dimensions (infra/kql groups failures by them), so existing names never change;
 * new checks are added here first, and a misspelt one does not compile.
 */

/** Claims the verifier reads; a shape or value problem names `claims.<claim>`. */
export type ClaimName =
  | 'iss'
  | 'aud'
  | 'exp'
  | 'nbf'
  | 'iat'
  | 'tid'
  | 'ver'
  | 'oid'
  | 'sub'
  | 'azp'
  | 'azpacr'
  | 'appid'
  | 'appidacr'
  | 'idtyp'
  | 'scp'
  | 'roles'
  | 'uti';

/** JOSE headers a token may not carry (they would choose a key or change processing). */
export const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'enc', 'epk', 'apu', 'apv', 'p2s', 'p2c', 'iv', 'tag'] as const;
export type ForbiddenHeader = (typeof FORBIDDEN_HEADERS)[number];

/** Checks of the token itself: form, JOSE header, claims, key and signature. */
export type TokenCheck =
  | 'size'
  | 'format'
  | 'format.jwe'
  | `${'header' | 'payload' | 'signature'}.encoding`
  | `${'header' | 'payload'}.json`
  | `header.${'alg' | 'kid' | 'typ' | 'cty' | 'nonce' | ForbiddenHeader}`
  | `claims.${ClaimName}`
  | 'key.issuer'
  | 'signature';

/** Loading Entra's discovery document and key set (a 503, not the caller's fault). */
export type KeySourceCheck = `${'openid' | 'jwks'}.${'fetch' | 'invalid'}` | 'keys';

/** How the request carries its token (RFC 6750 §2). */
export type RequestCheck = 'header.authorization' | 'header.multiple_credentials' | 'request.query_token' | 'request.multiple_methods';

/** The route's policy against the verified caller. */
export type PolicyCheck =
  | 'policy.method'
  | 'caller.app_only_not_allowed'
  | 'caller.delegated_not_allowed'
  | 'caller.no_permissions'
  | 'claims.roles'
  | 'claims.scp'
  /** A tenant-scoped route whose `{param}` differs from the token's tenant. */
  | `route.${string}`;

/** Failures of this app rather than of the request. */
export type InternalCheck = 'verifier' | 'handler';

export type CheckName = TokenCheck | KeySourceCheck | RequestCheck | PolicyCheck | InternalCheck;
