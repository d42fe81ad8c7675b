import { classifySdkFailure } from '../../azure/sdkFailure';
import type { SigningFailureCode } from '../signingErrors';

/** One failed call to the vault (or to the identity platform for its token), classified. */
export interface VaultFailure {
  readonly code: SigningFailureCode;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number;
  readonly message: string;
}

/** Transient failures: retried soon. The vault's own Retry-After wins when it sent one. */
const TRANSIENT_RETRY_SECONDS = 5;
/** Failures someone has to fix (access, key name): no point asking callers to hurry back. */
const CONFIGURATION_RETRY_SECONDS = 30;

/**
 * Thrown by the fail-fast policy when the vault asks for a pause longer than a
 * request should wait: the caller gets the vault's Retry-After instead of a hang.
 */
export class VaultBusyError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the vault answered HTTP ${status} and asked for a pause of ${retryAfterSeconds} s`);
    this.name = 'VaultBusyError';
  }
}

/** What went wrong, from whatever the Azure SDK or the credential threw. */
export function classifyVaultError(error: unknown, now: number): VaultFailure {
  const message = error instanceof Error ? error.message.slice(0, 500) : 'unknown failure';
  if (error instanceof VaultBusyError) {
    return { code: error.status === 429 ? 'vault_throttled' : 'vault_unavailable', status: error.status, retryAfterSeconds: error.retryAfterSeconds, message };
  }
  const failure = classifySdkFailure(error, { now });
  switch (failure.kind) {
    case 'timeout':
      return { code: 'vault_timeout', status: undefined, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message: 'the vault did not answer in time' };
    case 'credential_unavailable':
      return { code: 'credential_unavailable', status: undefined, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message };
    case 'unreachable':
      return { code: 'vault_unavailable', status: undefined, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message };
    case 'not_sdk':
      return { code: 'vault_error', status: undefined, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message };
    case 'answered': {
      const { status, retryAfterSeconds } = failure;
      if (status === 429) return { code: 'vault_throttled', status, retryAfterSeconds: retryAfterSeconds ?? TRANSIENT_RETRY_SECONDS, message };
      if (status >= 500) return { code: 'vault_unavailable', status, retryAfterSeconds: retryAfterSeconds ?? TRANSIENT_RETRY_SECONDS, message };
      if (status === 401 || status === 403) return { code: 'vault_denied', status, retryAfterSeconds: CONFIGURATION_RETRY_SECONDS, message };
      if (status === 404) return { code: 'key_not_found', status, retryAfterSeconds: CONFIGURATION_RETRY_SECONDS, message };
      return { code: 'vault_error', status, retryAfterSeconds: CONFIGURATION_RETRY_SECONDS, message };
    }
  }
}
