/**
 * Why an identity assertion could not be signed, or the key set not loaded. Stable
 * codes for telemetry: the first three are transient, the rest need someone to fix
 * the vault, the key or the identity's access to it.
 */
export type SigningFailureCode =
  | 'vault_throttled'
  | 'vault_unavailable'
  | 'vault_timeout'
  | 'vault_denied'
  | 'credential_unavailable'
  | 'key_not_found'
  | 'key_unsupported'
  | 'no_usable_key_version'
  | 'signature_invalid'
  | 'vault_error';

/**
 * No assertion can be issued right now. Not the caller's fault: operations that need
 * an assertion answer 503 with `retryAfterSeconds`; nothing else is affected.
 */
export class SigningUnavailableError extends Error {
  readonly code = 'signing_unavailable';

  constructor(
    readonly reason: SigningFailureCode,
    /** When it is worth trying again: the vault's Retry-After when it gave one. */
    readonly retryAfterSeconds: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SigningUnavailableError';
  }
}
