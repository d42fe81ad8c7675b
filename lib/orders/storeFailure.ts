import { parseRetryAfter } from '../net/retryAfter';
import { StoreUnavailableError, type StoreUnavailableReason } from './orderErrors';

/** What the store's SDK throws, as far as this module reads it (RestError, AbortError, network errors). */
interface StoreErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly details?: { readonly errorCode?: unknown; readonly odataError?: { readonly code?: unknown } };
  readonly response?: { readonly headers?: { get?(name: string): string | undefined } };
}

export const DEFAULT_STORE_RETRY_AFTER_SECONDS = 5;
/** The longest Retry-After passed on to callers, whatever the store asked for. */
export const MAX_STORE_RETRY_AFTER_SECONDS = 60;

export function storeStatusOf(error: unknown): number | undefined {
  const status = (error as StoreErrorShape | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The table service's own error code (TableNotFound, ResourceNotFound, ...): the SDK
 * leaves RestError.code unset for service answers and puts it in the details and
 * the x-ms-error-code header.
 */
export function storeCodeOf(error: unknown): string | undefined {
  const shape = error as StoreErrorShape | null;
  const candidates = [shape?.details?.errorCode, shape?.details?.odataError?.code, shape?.response?.headers?.get?.('x-ms-error-code')];
  return candidates.find((candidate): candidate is string => typeof candidate === 'string');
}

/**
 * Turns what the store (or the way to it) failed with into StoreUnavailableError:
 * timeouts, connection failures, 5xx, throttling and refused access all mean the
 * same to a caller (retry later), and the reason goes to the log. Anything that is
 * not an error of the store call itself (a bug here) is rethrown.
 */
export function storeUnavailable(error: unknown, deadline: AbortSignal, now: number = Date.now()): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as StoreErrorShape;
  const status = storeStatusOf(error);
  const code = storeCodeOf(error);
  const transportCode = typeof shape.code === 'string' ? shape.code : undefined;
  const retryAfter = (reason: StoreUnavailableReason, seconds = DEFAULT_STORE_RETRY_AFTER_SECONDS) =>
    new StoreUnavailableError(reason, status, Math.min(Math.max(1, seconds), MAX_STORE_RETRY_AFTER_SECONDS), { cause: error });
  if (deadline.aborted || shape.name === 'AbortError' || shape.name === 'TimeoutError') return retryAfter('timeout');
  // @azure/identity: no managed identity here, or the token request failed.
  if (shape.name === 'CredentialUnavailableError' || shape.name === 'AggregateAuthenticationError' || shape.name === 'AuthenticationError') {
    return retryAfter('credential_unavailable');
  }
  if (status === undefined) {
    const known = transportCode !== undefined || shape.name === 'RestError' || (shape.name === 'TypeError' && /fetch|network|socket/i.test(String(shape.message)));
    if (!known) throw error;
    return retryAfter(/timeout|timed out/i.test(String(shape.message)) ? 'timeout' : 'unreachable');
  }
  if (status === 429 || status === 503) {
    const asked = parseRetryAfter(shape.response?.headers?.get?.('retry-after'), now);
    return retryAfter(status === 429 ? 'throttled' : 'server_error', asked ?? DEFAULT_STORE_RETRY_AFTER_SECONDS);
  }
  if (status === 408 || status >= 500) return retryAfter(status === 408 ? 'timeout' : 'server_error');
  if (status === 401 || status === 403) return retryAfter('access_denied');
  if (status === 404 && code === 'TableNotFound') return retryAfter('table_missing');
  return retryAfter('unexpected_answer');
}
