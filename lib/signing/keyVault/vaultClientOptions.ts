import type { KeyClientOptions } from '@azure/keyvault-keys';
import { withSdkRetryLimits, type SdkRetryLimits } from '../../azure/sdkRetryLimits';
import { VaultBusyError } from './vaultFailure';

export type VaultPipelineLimits = SdkRetryLimits;

export const DEFAULT_VAULT_LIMITS: VaultPipelineLimits = Object.freeze({
  maxRetries: 2,
  retryDelayMs: 200,
  maxRetryDelayMs: 1_000,
  maxThrottleWaitMs: 1_000,
});

/**
 * Client options that keep a vault call short (see SdkRetryLimits); a vault asking for a
 * long pause is a VaultBusyError carrying its wait. Each call also carries an overall
 * deadline (an abort signal) set by the caller. `extra` is for what the environment
 * needs, e.g. `tlsOptions` with a test CA.
 */
export function vaultClientOptions(limits: VaultPipelineLimits, extra: KeyClientOptions = {}): KeyClientOptions {
  return withSdkRetryLimits(limits, (status, waitSeconds) => new VaultBusyError(status, waitSeconds), extra);
}
