import type { CheckName, ClaimName, KeySourceCheck } from './checkNames';
import { TOKEN_FAILURES, type TokenFailureCode } from './failureCodes';
import type { FailureDefinition } from './failureDefinition';

/**
 * One error class per way an access token can fail. Each is complete when built:
 * a stable `code` (machine-readable, used by telemetry and the HTTP layer), the
 * exact `check` that failed (e.g. `claims.exp`, `header.alg`, `jwks.fetch`), a
 * message for logs, the IDs read from the token (`facts`) and the underlying
 * `cause`; it knows its HTTP status and challenge from its code. Nothing is
 * attached later. Messages never contain the token; values copied from an
 * unverified token appear only after passing `safeLogValue`.
 */

/** The codes an AuthError (a refused token) can carry: the verifier's part of FailureCode. */
export type AuthErrorCode = TokenFailureCode;

/** What could be read from the token (unverified), for logs and telemetry: IDs only. */
export interface TokenFacts {
  readonly tenantId?: string;
  readonly clientAppId?: string;
  readonly version?: string;
  readonly kid?: string;
  /** The configured authority (and B2C user flow) the token was verified by: only in a Refusal's facts. */
  readonly authority?: string;
  readonly userFlow?: string;
}

export interface AuthErrorOptions {
  readonly cause?: unknown;
  /** The token's IDs; absent only when the token could not be decoded at all. */
  readonly facts?: TokenFacts | undefined;
}

const NO_FACTS: TokenFacts = Object.freeze({});

export abstract class AuthError extends Error {
  abstract readonly code: TokenFailureCode;
  readonly facts: TokenFacts;

  constructor(
    message: string,
    /** The exact check that failed, e.g. `claims.aud` or `jwks.fetch`. */
    readonly check: CheckName,
    options: AuthErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.facts = options.facts ? Object.freeze({ ...options.facts }) : NO_FACTS;
  }

  /** Status, challenge, whether to send Retry-After and the client's detail, all from the code. */
  get http(): FailureDefinition<TokenFailureCode> {
    return TOKEN_FAILURES[this.code];
  }

  /**
   * The same failure, built anew with the token's facts. For errors from shared
   * code that never sees the token (the key store, the signature check): the
   * verifier step that called it re-issues them complete; nothing is mutated.
   */
  withFacts(facts: TokenFacts): AuthError {
    const Same = this.constructor as new (message: string, check: CheckName, options: AuthErrorOptions) => AuthError;
    return new Same(this.message, this.check, { cause: this.cause, facts });
  }
}

export class TokenMalformedError extends AuthError {
  readonly code = 'token_malformed';
}

/** A claim is missing or has the wrong type. */
export class ClaimInvalidError extends AuthError {
  readonly code = 'claim_invalid';
  constructor(
    readonly claim: ClaimName,
    readonly reason: 'missing' | 'invalid',
    message: string,
    options?: AuthErrorOptions,
  ) {
    super(message, `claims.${claim}`, options);
  }

  override withFacts(facts: TokenFacts): ClaimInvalidError {
    return new ClaimInvalidError(this.claim, this.reason, this.message, { cause: this.cause, facts });
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
  declare readonly check: KeySourceCheck;
  constructor(
    message: string,
    check: KeySourceCheck,
    /** When it is worth trying again. */
    readonly retryAfterSeconds: number,
    options?: AuthErrorOptions,
  ) {
    super(message, check, options);
  }

  override withFacts(facts: TokenFacts): KeysUnavailableError {
    return new KeysUnavailableError(this.message, this.check, this.retryAfterSeconds, { cause: this.cause, facts });
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
