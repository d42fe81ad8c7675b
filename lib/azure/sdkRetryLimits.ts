import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { requestedWaitMs, retryAfterSeconds } from './retryAfter';

/**
 * How long an Azure SDK client may keep a request waiting: few retries with small
 * delays, and no waiting out a long Retry-After. The SDKs' own throttling policy
 * sleeps for as long as the service asks, which would hold the caller's request far
 * past any answer it can use.
 */
export interface SdkRetryLimits {
  /** Retries after the first attempt, for 5xx, 429, 408 and connection failures. */
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** A 429/503 asking for a longer pause than this fails at once, carrying the service's wait. */
  readonly maxThrottleWaitMs: number;
}

/** The options every Azure SDK client takes (CommonClientOptions) that these limits set. */
export interface SdkPipelineOptions {
  retryOptions?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
}

/**
 * `extra` (what the environment adds, e.g. tlsOptions with a test CA) with the limits
 * applied. `tooLongPause` builds the client's own typed error for a 429/503 whose
 * requested wait exceeds maxThrottleWaitMs, given the status and the wait in whole
 * seconds (capped at MAX_RETRY_AFTER_SECONDS).
 */
export function withSdkRetryLimits<O extends SdkPipelineOptions>(limits: SdkRetryLimits, tooLongPause: (status: number, waitSeconds: number) => Error, extra: O): O {
  return {
    ...extra,
    retryOptions: { maxRetries: limits.maxRetries, retryDelayInMs: limits.retryDelayMs, maxRetryDelayInMs: limits.maxRetryDelayMs },
    additionalPolicies: [...(extra.additionalPolicies ?? []), { policy: failFastOnLongPause(limits.maxThrottleWaitMs, tooLongPause), position: 'perRetry' }],
  };
}

function failFastOnLongPause(maxWaitMs: number, tooLongPause: (status: number, waitSeconds: number) => Error): PipelinePolicy {
  return {
    name: 'failFastOnLongRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const waitMs = requestedWaitMs(response.headers, Date.now()) ?? 0;
      if (waitMs > maxWaitMs) throw tooLongPause(response.status, retryAfterSeconds(waitMs));
      return response;
    },
  };
}
