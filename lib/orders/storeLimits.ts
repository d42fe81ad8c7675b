import type { TableServiceClientOptions } from '@azure/data-tables';
import { parseRetryAfter } from '../signing/keyVault/vaultFailure';
import { StoreUnavailableError } from './orderErrors';

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

/** How long a request may spend on the store: the SDK's default retry budget is far longer than a caller waits. */
export interface StoreLimits {
  /** The deadline of one Orders request's store work (every call and retry within it). */
  readonly deadlineMs: number;
  /** One HTTP attempt; a hung connection is abandoned and retried after this. */
  readonly tryTimeoutMs: number;
  /** Retries after the first attempt, for 5xx, 429, 408 and connection failures. */
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** A 429/503 asking for a longer pause than this fails at once with the store's Retry-After. */
  readonly maxThrottleWaitMs: number;
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
  return {
    ...extra,
    retryOptions: { maxRetries: limits.maxRetries, retryDelayInMs: limits.retryDelayMs, maxRetryDelayInMs: limits.maxRetryDelayMs },
    additionalPolicies: [...(extra.additionalPolicies ?? []), { policy: failFastOnLongPause(limits.maxThrottleWaitMs), position: 'perRetry' }],
  };
}

function failFastOnLongPause(maxWaitMs: number): AdditionalPolicy['policy'] {
  return {
    name: 'ordersStoreFailFastOnLongRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const seconds = parseRetryAfter(response.headers.get('retry-after'), Date.now()) ?? 0;
      if (seconds * 1000 > maxWaitMs) {
        throw new StoreUnavailableError(response.status === 429 ? 'throttled' : 'server_error', response.status, Math.min(seconds, 60));
      }
      return response;
    },
  };
}
