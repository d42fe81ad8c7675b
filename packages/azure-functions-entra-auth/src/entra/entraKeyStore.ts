import type { AuthSettings, TokenVersion } from '../settings/authSettings';
import { isLoopbackHost } from '../settings/fields';
import { INSTANCE_CA_SETTING } from '../settings/instanceTrustSettings';
import { ColdLoadError, RefreshingValue, type RefreshReason } from '../cache/refreshingValue';
import { KeyNotFoundError, KeysUnavailableError } from '../errors/authErrors';
import type { KeySourceCheck } from '../errors/checkNames';
import { FetchJsonError, fetchJson, type FetchLike } from '../net/fetchJson';
import { createNodeHttpFetch } from '../net/nodeHttpFetch';
import { openIdConfigurationUrl, parseOpenIdMetadata, type OpenIdMetadata } from './openIdMetadata';
import { parseSigningKeySet, type SigningKey, type SigningKeySet } from './signingKeys';

/** Hooks for telemetry: a refresh worth counting, and stale keys served because the endpoint failed. */
export interface KeySetEvents {
  readonly onKeySetRefreshed?: (event: { version: TokenVersion; url: string; kids: readonly string[]; reason: RefreshReason }) => void;
  readonly onKeySetFallback?: (event: { version: TokenVersion; url: string; check: string; error: Error; reason: RefreshReason }) => void;
}

export interface EntraKeyStoreOptions {
  /** Authority origin, e.g. https://login.microsoftonline.com. */
  readonly instance: string;
  /** The tenant segment of metadata URLs: a GUID, organizations or common. Never taken from a token. */
  readonly tenant: string;
  readonly fetch: FetchLike;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly events?: KeySetEvents;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Metadata and keys are fresh this long (Entra's guidance: about a day). */
  readonly ttlMs?: number;
  /**
   * An unknown `kid` refreshes the key set at most this often (default 30 s): a key
   * Entra publishes is picked up within this long of publication however much
   * unknown-kid junk arrives, and the endpoint sees at most one forced fetch per interval.
   */
  readonly unknownKidRefreshMs?: number;
  /** After a failed first load, requests fail fast this long before trying again. */
  readonly retryAfterFailureMs?: number;
  /**
   * A discovery document other than Entra's per-version one (a B2C user flow's): its URL
   * and how it is checked. Every version this store serves reads it.
   */
  readonly discovery?: { readonly url: string; readonly parse: (body: unknown) => OpenIdMetadata };
}

/**
 * The key store for the configured authority and tenant (never one a token names):
 * what the production verifier uses, and what a tool that runs its steps must use too.
 */
export function keyStoreFor(
  settings: Pick<AuthSettings, 'instance' | 'tenant'>,
  options: Omit<EntraKeyStoreOptions, 'instance' | 'tenant' | 'fetch'> & { readonly fetch?: FetchLike },
): EntraKeyStore {
  const { tenant } = settings;
  return new EntraKeyStore({
    ...options,
    instance: settings.instance,
    tenant: tenant.kind === 'single' ? tenant.tenantId : tenant.authorityTenant,
    fetch: options.fetch ?? createNodeHttpFetch(),
  });
}

/** Why metadata or keys could not be had; `check` says which step. */
class KeySourceError extends Error {
  constructor(
    readonly check: KeySourceCheck,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeySourceError';
  }
}

interface VersionSource {
  readonly metadataUrl: string;
  readonly metadata: RefreshingValue<OpenIdMetadata>;
  readonly keys: RefreshingValue<SigningKeySet>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Junk with made-up kids can always spend the next forced refresh, so this interval is
 * the longest a newly published key waits: short enough for an emergency rollover,
 * long enough that the key endpoint sees at most 10 forced fetches in 5 minutes.
 */
export const UNKNOWN_KID_REFRESH_MS = 30_000;

/**
 * Entra's discovery documents and signing keys for one configured tenant, per token
 * version, cached with the rules in RefreshingValue. Which URLs are fetched depends
 * only on the settings: nothing in a token can make this reach the network elsewhere.
 */
export class EntraKeyStore {
  private readonly sources = new Map<TokenVersion, VersionSource>();

  constructor(private readonly options: EntraKeyStoreOptions) {}

  /** The metadata for a token version, loading it on first use. */
  async metadata(version: TokenVersion): Promise<OpenIdMetadata> {
    return this.unwrap(this.source(version).metadata.get(), version);
  }

  /** The signing key `kid` of the version's key set; an unknown kid triggers a (rate-limited) refresh. */
  async key(version: TokenVersion, kid: string): Promise<SigningKey> {
    const source = this.source(version);
    const keys = await this.unwrap(source.keys.get(), version);
    const key = keys.get(kid) ?? (await source.keys.refresh())?.get(kid);
    if (!key) throw new KeyNotFoundError(`no key with this kid in the v${version} key set`, 'header.kid');
    return key;
  }

  /**
   * The version's whole key set, loading it on first use. Unlike `key`, a kid missing
   * from it forces no refresh: for a lookup that is only an annotation (the v2 set's
   * issuer for a v1 token's key), absence is an answer, not a sign of rollover.
   */
  async keySet(version: TokenVersion): Promise<SigningKeySet> {
    return this.unwrap(this.source(version).keys.get(), version);
  }

  /** The version's key set if it is loaded (refreshed in the background once stale), else undefined. Synchronous. */
  loadedKeySet(version: TokenVersion): SigningKeySet | undefined {
    return this.sources.get(version)?.keys.current();
  }

  /**
   * The version's metadata if it is loaded (refreshed in the background once stale,
   * as by `metadata`), else undefined: the verifier's synchronous path for the
   * common case, falling back to `metadata` only for a first load.
   */
  loadedMetadata(version: TokenVersion): OpenIdMetadata | undefined {
    return this.sources.get(version)?.metadata.current();
  }

  /**
   * The key `kid` if the loaded key set holds it, else undefined (nothing loaded, or
   * an unknown kid: `key` then loads or refreshes, rate-limited). Synchronous, like `loadedMetadata`.
   */
  loadedKey(version: TokenVersion, kid: string): SigningKey | undefined {
    return this.sources.get(version)?.keys.current()?.get(kid);
  }

  /**
   * Loads the version's discovery document and key set now, if not cached, so the
   * first request finds them; settles once done and never rejects (a failure is
   * what the first request would have met: see RefreshingValue).
   */
  async preload(version: TokenVersion): Promise<void> {
    await this.source(version).keys.get().catch(() => undefined);
  }

  /** Whether a key set for this version is cached; never loads. */
  hasKeySet(version: TokenVersion): boolean {
    return this.sources.get(version)?.keys.peek() !== undefined;
  }

  /** Whether `kid` is in the cached key set right now; never loads. */
  hasKey(version: TokenVersion, kid: string): boolean {
    return this.sources.get(version)?.keys.peek()?.has(kid) ?? false;
  }

  private async unwrap<T>(pending: Promise<T>, version: TokenVersion): Promise<T> {
    try {
      return await pending;
    } catch (error) {
      if (!(error instanceof ColdLoadError)) throw error;
      const cause = error.cause;
      const check = cause instanceof KeySourceError ? cause.check : 'keys';
      const detail = cause instanceof Error ? cause.message : 'unknown failure';
      throw new KeysUnavailableError(`v${version} signing keys unavailable: ${detail}`, check, Math.max(1, Math.ceil(error.retryAfterMs / 1000)), {
        cause,
      });
    }
  }

  private source(version: TokenVersion): VersionSource {
    let source = this.sources.get(version);
    if (!source) {
      source = this.createSource(version);
      this.sources.set(version, source);
    }
    return source;
  }

  private createSource(version: TokenVersion): VersionSource {
    const { instance, tenant, now, events } = this.options;
    const ttlMs = this.options.ttlMs ?? DAY_MS;
    const retryAfterFailureMs = this.options.retryAfterFailureMs ?? 15_000;
    const { discovery } = this.options;
    const metadataUrl = discovery?.url ?? openIdConfigurationUrl(instance, tenant, version);

    const metadata = new RefreshingValue<OpenIdMetadata>({
      load: async () => {
        const body = await this.fetch(metadataUrl, 'openid');
        try {
          return discovery ? discovery.parse(body) : parseOpenIdMetadata(body, instance, tenant, version);
        } catch (cause) {
          throw new KeySourceError('openid.invalid', cause instanceof Error ? cause.message : 'invalid discovery document', { cause });
        }
      },
      ttlMs,
      minRefreshIntervalMs: 60_000,
      retryAfterFailureMs,
      now,
      onFallback: (error, reason) => events?.onKeySetFallback?.({ version, url: metadataUrl, ...describe(error, 'openid'), reason }),
    });

    let jwksUri = metadataUrl;
    const keys = new RefreshingValue<SigningKeySet>({
      load: async () => {
        const { jwksUri: uri } = await metadata.get().catch((error: unknown) => {
          throw error instanceof ColdLoadError ? error.cause : error;
        });
        jwksUri = uri;
        const body = await this.fetch(uri, 'jwks');
        try {
          return await parseSigningKeySet(body);
        } catch (cause) {
          throw new KeySourceError('jwks.invalid', cause instanceof Error ? cause.message : 'invalid key set', { cause });
        }
      },
      ttlMs,
      minRefreshIntervalMs: this.options.unknownKidRefreshMs ?? UNKNOWN_KID_REFRESH_MS,
      retryAfterFailureMs,
      now,
      onRefreshed: (set, reason) => events?.onKeySetRefreshed?.({ version, url: jwksUri, kids: [...set.keys()], reason }),
      onFallback: (error, reason) => events?.onKeySetFallback?.({ version, url: jwksUri, ...describe(error, 'jwks'), reason }),
    });
    return { metadataUrl, metadata, keys };
  }

  private async fetch(url: string, step: 'openid' | 'jwks'): Promise<unknown> {
    try {
      return await fetchJson(url, {
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs ?? 5_000,
        maxBytes: this.options.maxBytes ?? 256 * 1024,
      });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : 'fetch failed';
      const fix = cause instanceof FetchJsonError && cause.reason === 'tls' ? `; ${certificateFix(this.options.instance)}` : '';
      throw new KeySourceError(`${step}.fetch`, `${message}${fix}`, { cause });
    }
  }
}

/** What to do about a certificate the key fetch does not trust: it depends on whose authority it is. */
function certificateFix(instance: string): string {
  return isLoopbackHost(new URL(instance).hostname)
    ? `fix: set ${INSTANCE_CA_SETTING} to the CA certificate of the local authority; ` +
        'NODE_EXTRA_CA_CERTS from local.settings.json is ignored when the environment already sets it'
    : 'fix: if a TLS-inspecting proxy sits in between, add its CA to NODE_EXTRA_CA_CERTS (read at process start)';
}

function describe(error: unknown, step: string): { check: string; error: Error } {
  if (error instanceof KeySourceError) return { check: error.check, error };
  return { check: step, error: error instanceof Error ? error : new Error(String(error)) };
}
