import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeyVaultStandin, type KeyVaultStandin } from '../../../dev/keyvault-standin/server';
import type { KeySpec } from '../../../dev/keyvault-standin/vaultKeys';
import { ensureLocalTls, type LocalTls } from '../../../packages/azure-functions-entra-dev/src/tls/localTls';
import { loadSigningSettings, type SigningSettings } from '../../../lib/config/signingSettings';
import { createSigning, type Signing, type SigningDependencies } from '../../../lib/signing/createSigning';
import { FixedTokenCredential } from './fixedTokenCredential';
import { RecordingSigningEvents } from './recordingSigningEvents';

export const ISSUER = 'https://orders-api.example.net';
export const KEY_NAME = 'assertion-signing';

/** Small, quick limits: a stopped stand-in fails a call in well under a second. */
export const FAST_LIMITS = { maxRetries: 1, retryDelayMs: 20, maxRetryDelayMs: 50, maxThrottleWaitMs: 1_000 } as const;

export interface VaultFixture {
  readonly tls: LocalTls;
  readonly standin: KeyVaultStandin;
  readonly credential: FixedTokenCredential;
  readonly events: RecordingSigningEvents;
  /** The clock of the stand-in and of every signer built here, in ms; tests move it. */
  readonly clock: { now: number };
  /** SIGNING_* settings pointing at the stand-in. */
  settings(extra?: Record<string, string>): SigningSettings;
  /** The app's signing, wired as the runtime does, with the real Key Vault SDK against the stand-in. */
  signing(options?: { readonly keyVault?: SigningDependencies['keyVault']; readonly settings?: Record<string, string> }): Signing;
  stop(): Promise<void>;
}

/**
 * A Key Vault stand-in on 127.0.0.1 (HTTPS, certificate from dev/tls in a scratch
 * state directory) holding one key, and signers talking to it through the real
 * @azure/keyvault-keys clients, trusting the test CA through the pipeline's tlsOptions.
 */
export async function startVaultFixture(options: { readonly key?: KeySpec; readonly pageSize?: number } = {}): Promise<VaultFixture> {
  const stateDir = await mkdtemp(join(tmpdir(), 'kv-standin-test-'));
  const tls = await ensureLocalTls({ stateDir });
  const clock = { now: Date.now() };
  const credential = new FixedTokenCredential();
  const standin = await startKeyVaultStandin({
    tls,
    acceptedTokens: [credential.token],
    now: () => clock.now,
    ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
  });
  await standin.createKey(KEY_NAME, options.key ?? { kty: 'EC', crv: 'P-256' });
  const events = new RecordingSigningEvents();
  const settings = (extra: Record<string, string> = {}) =>
    loadSigningSettings({ SIGNING_KEY_VAULT_URL: standin.url, SIGNING_KEY_NAME: KEY_NAME, SIGNING_ISSUER: ISSUER, ...extra });
  return {
    tls,
    standin,
    credential,
    events,
    clock,
    settings,
    signing: (signingOptions = {}) =>
      createSigning(settings(signingOptions.settings), {
        now: () => clock.now,
        events,
        credential,
        keyVault: { clientOptions: { tlsOptions: { ca: tls.caCertPem } }, limits: FAST_LIMITS, timeoutMs: 3_000, ...signingOptions.keyVault },
      }),
    async stop() {
      await standin.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
