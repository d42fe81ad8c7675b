import type { KeyClientOptions } from '@azure/keyvault-keys';
import { parseRetryAfter, VaultBusyError } from './vaultFailure';

type AdditionalPolicy = NonNullable<KeyClientOptions['additionalPolicies']>[number];
type PipelinePolicy = AdditionalPolicy['policy'];

export interface VaultPipelineLimits {
  /** Retries after the first attempt, for 5xx, 429 and connection failures. */
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** A 429/503 asking for a longer pause than this fails at once, carrying the vault's Retry-After. */
  readonly maxThrottleWaitMs: number;
}

export const DEFAULT_VAULT_LIMITS: VaultPipelineLimits = Object.freeze({
  maxRetries: 2,
  retryDelayMs: 200,
  maxRetryDelayMs: 1_000,
  maxThrottleWaitMs: 1_000,
});

/**
 * Client options that keep a vault call short: few retries with small delays, and
 * no waiting out a long Retry-After (the SDK's throttling policy would otherwise
 * sleep for as long as the vault asks, holding the caller's request). Each call
 * also carries an overall deadline (an abort signal) set by the caller.
 * `extra` is for what the environment needs, e.g. `tlsOptions` with a test CA.
 */
export function vaultClientOptions(limits: VaultPipelineLimits, extra: KeyClientOptions = {}): KeyClientOptions {
  return {
    ...extra,
    retryOptions: { maxRetries: limits.maxRetries, retryDelayInMs: limits.retryDelayMs, maxRetryDelayInMs: limits.maxRetryDelayMs },
    additionalPolicies: [...(extra.additionalPolicies ?? []), { policy: failFastOnLongPause(limits.maxThrottleWaitMs), position: 'perRetry' }],
  };
}

function failFastOnLongPause(maxWaitMs: number): PipelinePolicy {
  return {
    name: 'failFastOnLongRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      const header = (name: string) => response.headers.get(name);
      const ms = header('retry-after-ms') ?? header('x-ms-retry-after-ms');
      const waitMs = ms !== undefined && /^\d+$/.test(ms) ? Number(ms) : (parseRetryAfter(header('retry-after'), Date.now()) ?? 0) * 1000;
      if (waitMs > maxWaitMs) throw new VaultBusyError(response.status, Math.max(1, Math.ceil(waitMs / 1000)));
      return response;
    },
  };
}
