/**
 * One error class per way an access token can fail. Each carries a stable `code`
 * (machine-readable, used by telemetry and the HTTP layer), the exact `check`
 * that failed (e.g. `claims.exp`, `header.alg`, `jwks.fetch`), a message for logs
 * and the underlying `cause`. Messages never contain the token; values copied
 * from an unverified token appear only after passing `safeLogValue`.
 */

export type AuthErrorCode =
  | 'token_malformed'
  | 'claim_invalid'
  | 'alg_not_allowed'
  | 'header_not_allowed'
  | 'signature_invalid'
  | 'key_not_found'
  | 'keys_unavailable'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'audience_mismatch'
  | 'issuer_mismatch'
  | 'tenant_not_allowed'
  | 'client_app_not_allowed'
  | 'token_version_not_allowed'
  | 'not_access_token';

/** What could be read from the token (unverified), for logs and telemetry: IDs only. */
export interface TokenFacts {
  readonly tenantId?: string;
  readonly clientAppId?: string;
  readonly version?: string;
  readonly kid?: string;
}

export abstract class AuthError extends Error {
  abstract readonly code: AuthErrorCode;
  /** Filled in by the verifier once the token could be decoded. */
  facts: TokenFacts | undefined;

  constructor(
    message: string,
    /** The exact check that failed, e.g. `claims.aud` or `jwks.fetch`. */
    readonly check: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class TokenMalformedError extends AuthError {
  readonly code = 'token_malformed';
}

/** A claim is missing or has the wrong type. */
export class ClaimInvalidError extends AuthError {
  readonly code = 'claim_invalid';
  constructor(
    readonly claim: string,
    readonly reason: 'missing' | 'invalid',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, `claims.${claim}`, options);
  }
}

export class AlgorithmNotAllowedError extends AuthError {
  readonly code = 'alg_not_allowed';
}

/** A JOSE header this API never accepts (jwk, jku, x5u, x5c, crit, b64, zip, cty JWT...). */
export class HeaderNotAllowedError extends AuthError {
  readonly code = 'header_not_allowed';
}

export class SignatureInvalidError extends AuthError {
  readonly code = 'signature_invalid';
}

export class KeyNotFoundError extends AuthError {
  readonly code = 'key_not_found';
}

/** No usable signing keys: the key endpoint failed and nothing is cached. Not the caller's fault. */
export class KeysUnavailableError extends AuthError {
  readonly code = 'keys_unavailable';
  constructor(
    message: string,
    check: string,
    /** When it is worth trying again. */
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, check, options);
  }
}

export class TokenExpiredError extends AuthError {
  readonly code = 'token_expired';
}

export class TokenNotYetValidError extends AuthError {
  readonly code = 'token_not_yet_valid';
}

export class AudienceMismatchError extends AuthError {
  readonly code = 'audience_mismatch';
}

export class IssuerMismatchError extends AuthError {
  readonly code = 'issuer_mismatch';
}

export class TenantNotAllowedError extends AuthError {
  readonly code = 'tenant_not_allowed';
}

export class ClientAppNotAllowedError extends AuthError {
  readonly code = 'client_app_not_allowed';
}

export class TokenVersionNotAllowedError extends AuthError {
  readonly code = 'token_version_not_allowed';
}

/** The token is signed by Entra but is not an access token for an API (an ID token, for instance). */
export class NotAccessTokenError extends AuthError {
  readonly code = 'not_access_token';
}

/**
 * Returns `value` when it is a short, plain identifier that is safe to put in a log
 * line (a GUID, a key ID, a version), else undefined. Keeps attacker-chosen strings
 * (`kid` of "../../etc/passwd\n", megabyte claims) out of logs and telemetry.
 */
export function safeLogValue(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:=+/-]{1,128}$/.test(value) ? value : undefined;
}
