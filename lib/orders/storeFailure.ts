import { classifySdkFailure } from '../azure/sdkFailure';
import { StoreUnavailableError, type StoreUnavailableReason } from './orderErrors';

export const DEFAULT_STORE_RETRY_AFTER_SECONDS = 5;

/**
 * Turns what the store (or the way to it) failed with into StoreUnavailableError:
 * timeouts, connection failures, 5xx, throttling and refused access all mean the
 * same to a caller (retry later), and the reason goes to the log. Anything that is
 * not an error of the store call itself (a bug here) is rethrown.
 */
export function storeUnavailable(error: unknown, deadline: AbortSignal, now: number = Date.now()): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const failure = classifySdkFailure(error, { aborted: deadline.aborted, now });
  const unavailable = (reason: StoreUnavailableReason, seconds = DEFAULT_STORE_RETRY_AFTER_SECONDS) =>
    new StoreUnavailableError(reason, failure.status, seconds, { cause: error });
  switch (failure.kind) {
    case 'not_sdk':
      throw error;
    case 'timeout':
    case 'unreachable':
    case 'credential_unavailable':
      return unavailable(failure.kind);
    case 'answered': {
      const { status } = failure;
      // Throttling and a busy service say how long to wait (already capped); other answers get the default.
      if (status === 429 || status === 503) return unavailable(status === 429 ? 'throttled' : 'server_error', failure.retryAfterSeconds);
      if (status === 408 || status >= 500) return unavailable(status === 408 ? 'timeout' : 'server_error');
      if (status === 401 || status === 403) return unavailable('access_denied');
      if (status === 404 && failure.serviceCode === 'TableNotFound') return unavailable('table_missing');
      return unavailable('unexpected_answer');
    }
  }
}
