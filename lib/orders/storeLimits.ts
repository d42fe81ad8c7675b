import type { TableServiceClientOptions } from '@azure/data-tables';
import { withSdkRetryLimits, type SdkRetryLimits } from '../azure/sdkRetryLimits';
import { StoreUnavailableError } from './orderErrors';

/** How long a request may spend on the store: the SDK's default retry budget is far longer than a caller waits. */
export interface StoreLimits extends SdkRetryLimits {
  /** The deadline of one Orders request's store work (every call and retry within it). */
  readonly deadlineMs: number;
  /** One HTTP attempt; a hung connection is abandoned and retried after this. */
  readonly tryTimeoutMs: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = Object.freeze({
  deadlineMs: 4_000,
  tryTimeoutMs: 1_500,
  maxRetries: 2,
  retryDelayMs: 100,
  maxRetryDelayMs: 500,
  maxThrottleWaitMs: 1_000,
});

/** Client options that keep store calls inside the limits; `extra` is what the environment adds (e.g. tlsOptions). */
export function storeClientOptions(limits: StoreLimits, extra: TableServiceClientOptions = {}): TableServiceClientOptions {
  // A store asking for a longer pause than a caller waits: answer 503 now, with the store's own wait (capped).
  const tooLongPause = (status: number, waitSeconds: number) => new StoreUnavailableError(status === 429 ? 'throttled' : 'server_error', status, waitSeconds);
  return withSdkRetryLimits(limits, tooLongPause, extra);
}
