import { parseRetryAfter } from '../../net/retryAfter';
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
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return { code: 'vault_timeout', status: undefined, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message: 'the vault did not answer in time' };
  }
  // @azure/identity: no managed identity here, `az login` missing, or the token request failed.
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError' || name === 'AuthenticationError') {
    return { code: 'credential_unavailable', status: undefined, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message };
  }
  const status = statusOf(error);
  const retryAfter = retryAfterSecondsOf(error, now);
  if (status === undefined) {
    // A RestError without a status never reached the vault: refused, reset, DNS, TLS.
    const code = name === 'RestError' ? 'vault_unavailable' : 'vault_error';
    return { code, status, retryAfterSeconds: TRANSIENT_RETRY_SECONDS, message };
  }
  if (status === 429) return { code: 'vault_throttled', status, retryAfterSeconds: retryAfter ?? TRANSIENT_RETRY_SECONDS, message };
  if (status >= 500) return { code: 'vault_unavailable', status, retryAfterSeconds: retryAfter ?? TRANSIENT_RETRY_SECONDS, message };
  if (status === 401 || status === 403) return { code: 'vault_denied', status, retryAfterSeconds: CONFIGURATION_RETRY_SECONDS, message };
  if (status === 404) return { code: 'key_not_found', status, retryAfterSeconds: CONFIGURATION_RETRY_SECONDS, message };
  return { code: 'vault_error', status, retryAfterSeconds: CONFIGURATION_RETRY_SECONDS, message };
}


function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function retryAfterSecondsOf(error: unknown, now: number): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const headers = (error as { response?: { headers?: { get?: unknown } } }).response?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const get = (name: string): string | undefined => {
    const value: unknown = (headers.get as (name: string) => unknown).call(headers, name);
    return typeof value === 'string' ? value : undefined;
  };
  const ms = get('retry-after-ms') ?? get('x-ms-retry-after-ms');
  if (ms !== undefined && /^\d+$/.test(ms.trim())) return Math.max(1, Math.ceil(Number(ms) / 1000));
  return parseRetryAfter(get('retry-after'), now);
}
