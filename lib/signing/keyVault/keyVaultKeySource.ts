import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type KeyClientOptions, type KeyProperties, type KeyVaultKey } from '@azure/keyvault-keys';
import { ColdLoadError, RefreshingValue } from 'azure-functions-entra-auth/toolkit';
import { isLoopbackHost } from 'azure-functions-entra-auth/settings';
import { SettingsError } from 'azure-functions-entra-auth';
import { describePublicKey, publicKeyFromJwk } from '../publicKeys';
import { SigningUnavailableError } from '../signingErrors';
import { report, type SigningEvents } from '../signingEvents';
import type { ActiveSigningKey, PublishedKey, SigningKeySource } from '../signingKey';
import { chooseSigningVersion, usableVersions, type UsableVersion, type VersionTimes } from './keyVersions';
import { classifyVaultError, type VaultFailure } from './vaultFailure';
import { DEFAULT_VAULT_LIMITS, vaultClientOptions, type VaultPipelineLimits } from './vaultClientOptions';

export interface KeyVaultKeySourceOptions {
  /** The vault's origin, e.g. https://contoso-signing.vault.azure.net. */
  readonly vaultUrl: string;
  readonly keyName: string;
  readonly credential: TokenCredential;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly events: SigningEvents;
  /** Versions expiring sooner than an assertion's lifetime sign nothing more. */
  readonly assertionLifetimeSeconds: number;
  /** Merged into the SDK client options (e.g. `tlsOptions` trusting a test CA). */
  readonly clientOptions?: KeyClientOptions;
  readonly limits?: VaultPipelineLimits;
  /** Deadline for one vault operation, retries included. */
  readonly timeoutMs?: number;
  /** How long a loaded list of versions is fresh; then it is reloaded in the background while still served. */
  readonly ttlMs?: number;
  /** How long a new version is published before it signs; defaults to `ttlMs` (see chooseSigningVersion). */
  readonly activationDelayMs?: number;
  /** At most one reload per this interval, whatever asks (expiry, a refused signature). */
  readonly minRefreshIntervalMs?: number;
  /** After a failed first load, assertion requests fail fast this long before the vault is tried again. */
  readonly retryAfterFailureMs?: number;
  /** ready() waits at most this long for the vault, so a slow vault cannot hold up the app's start. */
  readonly startupDeadlineMs?: number;
  /** Published versions are capped (newest kept) so that a key rotated for years keeps a small key set. */
  readonly maxPublishedVersions?: number;
}

/** One usable version: what is published, plus what signs with it. */
interface VaultKeyVersion extends PublishedKey, VersionTimes {
  readonly client: CryptographyClient;
}

/** What a version's immutable key gives: its published form and a client that signs with it, or why it cannot sign. */
type VersionMaterial = { readonly ok: true; readonly key: PublishedKey; readonly client: CryptographyClient } | { readonly ok: false; readonly reason: string };

interface KeySnapshot {
  /** Newest first. */
  readonly keys: readonly VaultKeyVersion[];
  /** The newest enabled, active version cannot sign assertions (its type, curve or size). */
  readonly newestUnsupported: { readonly version: string; readonly reason: string } | undefined;
}

/** A vault call failed; carries the classification for SigningUnavailableError. */
class VaultCallError extends Error {
  constructor(
    readonly failure: VaultFailure,
    options: { cause: unknown },
  ) {
    super(failure.message, options);
    this.name = 'VaultCallError';
  }
}

const MINUTE_MS = 60_000;

/**
 * Signing keys held in Key Vault. The published key set is every enabled, active,
 * unexpired version of the key, reloaded every few minutes (single-flight, last good
 * set served through vault failures); public material is fetched once per version,
 * since a version's key never changes. Signing sends only a SHA-256 digest to the
 * vault: the private key never leaves it.
 */
export class KeyVaultKeySource implements SigningKeySource {
  readonly description: string;
  private readonly keyClient: KeyClient;
  private readonly clientOptions: KeyClientOptions;
  private readonly keySet: RefreshingValue<KeySnapshot>;
  private readonly materials = new Map<string, VersionMaterial>();
  private readonly reportedUnsupported = new Set<string>();
  private readonly timeoutMs: number;
  private readonly activationDelayMs: number;

  isLoaded(): boolean {
    return this.keySet.peek() !== undefined;
  }

  constructor(private readonly options: KeyVaultKeySourceOptions) {
    this.description = `Key Vault key ${options.keyName} in ${options.vaultUrl}`;
    const vault = new URL(options.vaultUrl);
    const loopback = isLoopbackHost(vault.hostname);
    this.clientOptions = vaultClientOptions(options.limits ?? DEFAULT_VAULT_LIMITS, {
      // A loopback vault is a local stand-in: its challenge names vault.azure.net, which 127.0.0.1 is not.
      ...(loopback && { disableChallengeResourceVerification: true }),
      // The settings allow http only for loopback hosts.
      ...(vault.protocol === 'http:' && { allowInsecureConnection: true }),
      ...options.clientOptions,
    });
    this.keyClient = new KeyClient(options.vaultUrl, options.credential, this.clientOptions);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    const ttlMs = options.ttlMs ?? 5 * MINUTE_MS;
    this.activationDelayMs = options.activationDelayMs ?? ttlMs;
    this.keySet = new RefreshingValue<KeySnapshot>({
      load: () => this.load(),
      ttlMs,
      minRefreshIntervalMs: options.minRefreshIntervalMs ?? 30_000,
      retryAfterFailureMs: options.retryAfterFailureMs ?? 10_000,
      now: options.now,
      onRefreshed: (snapshot, reason) => {
        const signing = this.choose(snapshot);
        report(options.events, (events) => events.onKeySetRefreshed?.({ kids: snapshot.keys.map((key) => key.kid), signingKid: signing?.kid, reason }));
      },
    });
  }

  async publishedKeys(): Promise<readonly PublishedKey[]> {
    return (await this.snapshot()).keys;
  }

  async signingKey(): Promise<ActiveSigningKey> {
    const snapshot = await this.snapshot();
    const key = this.choose(snapshot);
    if (!key) {
      const message = `${this.description} has no enabled, active version that can sign for another ${this.options.assertionLifetimeSeconds} s`;
      report(this.options.events, (events) => events.onSigningFailure?.({ operation: 'sign', code: 'no_usable_key_version', message }));
      throw new SigningUnavailableError('no_usable_key_version', 30, message);
    }
    const { kid, alg, jwk, publicKey, client } = key;
    return { kid, alg, jwk, publicKey, sign: (input) => this.sign(kid, client, alg, input) };
  }

  async ready(): Promise<void> {
    let snapshot: KeySnapshot | undefined;
    try {
      snapshot = await this.withinStartupDeadline(this.keySet.get());
    } catch (error) {
      const cause = error instanceof ColdLoadError ? error.cause : error;
      if (cause instanceof VaultCallError && cause.failure.code === 'key_not_found') {
        throw new SettingsError('SIGNING_KEY_NAME', `${this.description} does not exist (the vault answered 404)`);
      }
      // Unreachable, throttled or not (yet) allowed: reported by load(); the app starts and retries.
      return;
    }
    // A slow vault does not hold up the start; the load goes on and its outcome is reported.
    if (snapshot === undefined) return;
    if (snapshot.newestUnsupported) {
      const { version, reason } = snapshot.newestUnsupported;
      throw new SettingsError('SIGNING_KEY_NAME', `the newest version (${version}) of ${this.description} is unusable: ${reason}`);
    }
    if (snapshot.keys.length === 0) {
      throw new SettingsError('SIGNING_KEY_NAME', `${this.description} has no enabled, active, unexpired version`);
    }
  }

  private async withinStartupDeadline<T>(pending: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        resolve(undefined);
      }, this.options.startupDeadlineMs ?? 10_000);
      timer.unref();
    });
    try {
      return await Promise.race([pending, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async refresh(): Promise<void> {
    await this.keySet.refresh();
  }

  private choose(snapshot: KeySnapshot): VaultKeyVersion | undefined {
    return chooseSigningVersion(snapshot.keys, this.options.now(), {
      activationDelayMs: this.activationDelayMs,
      minRemainingMs: this.options.assertionLifetimeSeconds * 1000,
    });
  }

  private async snapshot(): Promise<KeySnapshot> {
    try {
      return await this.keySet.get();
    } catch (error) {
      const cause = error instanceof ColdLoadError ? error.cause : error;
      const failure = cause instanceof VaultCallError ? cause.failure : classifyVaultError(cause, this.options.now());
      const waitSeconds = error instanceof ColdLoadError ? Math.ceil(error.retryAfterMs / 1000) : 0;
      throw new SigningUnavailableError(failure.code, Math.max(1, failure.retryAfterSeconds, waitSeconds), `the versions of ${this.description} could not be loaded: ${failure.message}`, {
        cause,
      });
    }
  }

  private async sign(version: string, client: CryptographyClient, alg: PublishedKey['alg'], input: Buffer): Promise<Buffer> {
    const digest = createHash('sha256').update(input).digest();
    try {
      const result = await client.sign(alg, digest, { abortSignal: AbortSignal.timeout(this.timeoutMs) });
      return Buffer.from(result.result);
    } catch (error) {
      const failure = classifyVaultError(error, this.options.now());
      report(this.options.events, (events) =>
        events.onSigningFailure?.({
          operation: 'sign',
          code: failure.code,
          ...(failure.status !== undefined && { status: failure.status }),
          retryAfterSeconds: failure.retryAfterSeconds,
          keyVersion: version,
          message: failure.message,
        }),
      );
      // A version disabled or deleted since the last load: look again (rate-limited) rather than wait for expiry.
      if (failure.code === 'vault_denied' || failure.code === 'key_not_found') void this.keySet.refresh();
      throw new SigningUnavailableError(failure.code, failure.retryAfterSeconds, `signing with version ${version} of ${this.description} failed: ${failure.message}`, {
        cause: error,
      });
    }
  }

  private async load(): Promise<KeySnapshot> {
    try {
      return await this.loadVersions();
    } catch (error) {
      const failure = error instanceof VaultCallError ? error.failure : classifyVaultError(error, this.options.now());
      report(this.options.events, (events) =>
        events.onSigningFailure?.({
          operation: 'keys',
          code: failure.code,
          ...(failure.status !== undefined && { status: failure.status }),
          retryAfterSeconds: failure.retryAfterSeconds,
          served: this.keySet.peek() ? 'stale' : 'none',
          message: failure.message,
        }),
      );
      throw error instanceof VaultCallError ? error : new VaultCallError(failure, { cause: error });
    }
  }

  private async loadVersions(): Promise<KeySnapshot> {
    const listed: KeyProperties[] = [];
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      for await (const properties of this.keyClient.listPropertiesOfKeyVersions(this.options.keyName, { abortSignal: signal })) listed.push(properties);
    } catch (error) {
      throw new VaultCallError(classifyVaultError(error, this.options.now()), { cause: error });
    }
    const usable = usableVersions(listed, this.options.now());
    const keys: VaultKeyVersion[] = [];
    let newestUnsupported: KeySnapshot['newestUnsupported'];
    const maxPublished = this.options.maxPublishedVersions ?? 100;
    for (const [index, version] of usable.entries()) {
      if (keys.length >= maxPublished) break;
      const material = await this.material(version);
      if (material === undefined) continue;
      if (!material.ok) {
        if (index === 0) newestUnsupported = { version: version.version, reason: material.reason };
        this.reportUnsupported(version.version, material.reason);
        continue;
      }
      keys.push({ ...material.key, client: material.client, activeFrom: version.activeFrom, expiresAt: version.expiresAt });
    }
    // Forget versions that are gone, disabled or expired; their material is fetched again if they return.
    const current = new Set(usable.map((version) => version.version));
    for (const version of this.materials.keys()) if (!current.has(version)) this.materials.delete(version);
    return { keys, newestUnsupported };
  }

  /** The public key of a version (cached: a version's key never changes); undefined when it vanished meanwhile. */
  private async material(version: UsableVersion): Promise<VersionMaterial | undefined> {
    const cached = this.materials.get(version.version);
    if (cached) return cached;
    let vaultKey: KeyVaultKey;
    try {
      vaultKey = await this.keyClient.getKey(this.options.keyName, { version: version.version, abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const failure = classifyVaultError(error, this.options.now());
      // Disabled or deleted between the list and this get: skip it this time.
      if (failure.code === 'vault_denied' || failure.code === 'key_not_found') return undefined;
      throw new VaultCallError(failure, { cause: error });
    }
    const described = describeVaultKey(version.version, vaultKey);
    // Built from the fetched key, so signing needs no further GET; kept with the version, so its
    // pipeline (and the vault's challenge answered on first use) lasts as long as the version.
    const material: VersionMaterial = described.ok ? { ok: true, key: described.key, client: new CryptographyClient(vaultKey, this.options.credential, this.clientOptions) } : described;
    this.materials.set(version.version, material);
    return material;
  }

  private reportUnsupported(version: string, reason: string): void {
    if (this.reportedUnsupported.has(version)) return;
    this.reportedUnsupported.add(version);
    report(this.options.events, (events) =>
      events.onSigningFailure?.({ operation: 'keys', code: 'key_unsupported', keyVersion: version, message: `version ${version} of ${this.description} is not published: ${reason}` }),
    );
  }
}

const SIGNING_KEY_TYPES = new Set(['RSA', 'RSA-HSM', 'EC', 'EC-HSM']);

function describeVaultKey(version: string, vaultKey: KeyVaultKey): { readonly ok: true; readonly key: PublishedKey } | { readonly ok: false; readonly reason: string } {
  const jwk = vaultKey.key;
  const kty = jwk?.kty ?? vaultKey.keyType;
  if (!jwk || kty === undefined || !SIGNING_KEY_TYPES.has(kty)) {
    return { ok: false, reason: `a key of type ${kty ?? 'unknown'} cannot sign assertions: use RSA or RSA-HSM (RS256), or EC or EC-HSM on P-256 (ES256)` };
  }
  const operations = vaultKey.keyOperations ?? jwk.keyOps;
  if (operations !== undefined && !operations.includes('sign')) return { ok: false, reason: 'its permitted operations do not include sign' };
  if (kty.startsWith('EC') && jwk.crv !== 'P-256') {
    return { ok: false, reason: `an EC key on curve ${jwk.crv ?? 'unknown'} cannot sign assertions: only P-256 (ES256) is supported` };
  }
  const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('base64url');
  const publicKey = publicKeyFromJwk(
    kty.startsWith('RSA') ? { kty: 'RSA', n: b64(jwk.n), e: b64(jwk.e) } : { kty: 'EC', crv: 'P-256', x: b64(jwk.x), y: b64(jwk.y) },
  );
  if ('reason' in publicKey) return { ok: false, reason: publicKey.reason };
  return describePublicKey(version, publicKey);
}
