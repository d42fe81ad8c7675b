import { EntraKeyStore, type KeySetEvents } from '../entra/entraKeyStore';
import type { FetchLike } from '../net/fetchJson';
import { ClaimInvalidError, IssuerMismatchError } from '../errors/authErrors';
import { createNodeHttpFetch } from '../net/nodeHttpFetch';
import type { AuthSettings } from '../settings/authSettings';
import { settled, verifyThroughCache } from '../verify/cachedVerification';
import { createStepRunner, type StepRunner, type VerifierDependencies } from '../verify/createAccessTokenVerifier';
import { VerifiedTokenCache } from '../verify/verifiedTokenCache';
import { decodeCompactJwt, type DecodedJwt } from '../jwt/decodeCompactJwt';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../verify/verifiedAccessToken';
import { VERIFICATION_STEPS, createVerificationContext, type VerificationContext, type VerificationStep } from '../verify/verificationSteps';
import type { AuthorityConfig, AuthorityRef } from './authorityConfig';
import { buildAuthorityRoutes, type AuthorityRoutes, type KeySource } from './authorityRoutes';
import { b2cVerificationSteps, parseB2cMetadata } from './b2cVerification';

export interface AuthorityVerifier extends AccessTokenVerifier {
  /** Every issuer and key source, as worked out at startup (for diagnostics). */
  readonly routes: AuthorityRoutes;
}

/**
 * The verifier for several authorities. A token is routed by its exact `iss` (and, for
 * B2C, its user flow) to one key source before anything else is looked up; that
 * source's steps run with that source's own key store only. Nothing in a token can make
 * one source's keys serve another's.
 *
 * One verified-token cache serves all sources, keyed by the token's digest (which covers
 * its signed `iss`): an entry is stored only after its own source verified the token,
 * records that source (the token's authority and user flow), and a hit is re-checked
 * against that source's key store. So a cached token answers for the authority that
 * verified it and no other; and a repeated token costs what it costs with one authority,
 * no decoding to find its route.
 */
export function createAuthorityVerifier(settings: AuthSettings, dependencies: Omit<VerifierDependencies, 'keyStore' | 'steps' | 'authority'> = {}): AuthorityVerifier {
  const routes = buildAuthorityRoutes(settings.authorities);
  const now = dependencies.now ?? Date.now;
  const fetch = dependencies.fetch ?? createNodeHttpFetch();
  const cacheSize = dependencies.cacheSize ?? 10_000;
  const cache =
    cacheSize > 0
      ? new VerifiedTokenCache({ maxEntries: cacheSize, maxBytes: dependencies.cacheBytes ?? 32 * 1024 * 1024, clockSkewSeconds: settings.clockSkewSeconds, maxLifetimeSeconds: settings.maxTokenLifetimeSeconds, now })
      : undefined;

  interface Source {
    readonly source: KeySource;
    readonly settings: AuthSettings;
    readonly keyStore: EntraKeyStore;
    readonly run: StepRunner;
  }
  const sources = new Map<KeySource, Source>();
  /**
   * By the authority object a verified token carries (one per source, stamped by its steps):
   * where a cache hit's key is re-checked. An identity lookup, so a hit costs no string work.
   */
  const byVerifiedOrigin = new Map<AuthorityRef, Source>();
  for (const source of routes.sources) {
    const { authority } = source;
    const keyStore = keyStoreForSource(source, { fetch, now, ...(dependencies.events && { events: dependencies.events }) });
    const own = sourceSettings(settings, source);
    const stamp: AuthorityRef = Object.freeze({ name: authority.name, kind: authority.kind });
    const entry: Source = {
      source,
      settings: own,
      keyStore,
      run: createStepRunner(own, {
        keyStore,
        now,
        authority: stamp,
        ...(authority.kind === 'b2c' && source.userFlow !== undefined && { steps: b2cVerificationSteps(authority.tenantId, source.userFlow) }),
      }),
    };
    sources.set(source, entry);
    byVerifiedOrigin.set(stamp, entry);
  }

  /** Decodes once (form and size first, as the single-authority verifier does), routes by iss, runs the source's steps. */
  function verifyFully(token: string): VerifiedAccessToken | Promise<VerifiedAccessToken> {
    const decoded = decodeCompactJwt(token);
    return route(decoded, token).run(token, decoded);
  }

  function route(decoded: DecodedJwt, token: string): Source {
    const { payload } = decoded;
    const { iss } = payload;
    if (typeof iss !== 'string' || iss === '') {
      const facts = createVerificationContext(token, { settings, nowSeconds: now() / 1000, decoded }).facts;
      throw new ClaimInvalidError('iss', iss === undefined ? 'missing' : 'invalid', iss === undefined ? 'iss is required' : 'iss must be a non-empty string', { facts });
    }
    const found = routes.find(iss, payload.tid);
    const refuse = (error: (facts: VerificationContext['facts']) => Error): never => {
      throw error(createVerificationContext(token, { settings, nowSeconds: now() / 1000, decoded }).facts);
    };
    if (!found) return refuse((facts) => new IssuerMismatchError('iss is not the issuer of any configured authority', 'claims.iss', { facts }));
    const { source: target } = found;
    if (!isUserFlowMap(target)) return sources.get(target) as Source;
    const flow: unknown = payload.tfp ?? payload.acr;
    const claim = payload.tfp !== undefined ? 'tfp' : 'acr';
    if (flow === undefined) return refuse((facts) => new ClaimInvalidError('tfp', 'missing', 'a B2C token names its user flow in tfp (or acr)', { facts }));
    if (typeof flow !== 'string') return refuse((facts) => new ClaimInvalidError(claim, 'invalid', `${claim} must be a string`, { facts }));
    const source = target.get(flow.toLowerCase());
    if (!source) return refuse((facts) => new IssuerMismatchError(`the token's user flow is not one ${found.authority.name} accepts`, `claims.${claim}`, { facts }));
    return sources.get(source) as Source;
  }

  /** The source that verified a cached token, never one the token could name now: its key must still be published. */
  const stillPublished = (cached: VerifiedAccessToken) => byVerifiedOrigin.get(cached.authority)?.keyStore.hasKey(cached.version, cached.kid) === true;

  const warmUp = async (entry: Source): Promise<void> => {
    await Promise.all(entry.source.tokenVersions.map((version) => entry.keyStore.preload(version)));
    // A workforce source reads its v2 key set for v1 tokens too (the key_issuer step).
    if (entry.source.authority.kind === 'workforce' && !entry.source.tokenVersions.includes('2.0')) await entry.keyStore.preload('2.0');
  };

  return Object.freeze({
    routes,
    verify(token: string): Promise<VerifiedAccessToken> {
      try {
        return cache ? verifyThroughCache(cache, token, verifyFully, stillPublished) : settled(verifyFully(token));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new TypeError(`verification threw a non-Error: ${String(error)}`));
      }
    },
    keysLoaded: () => [...sources.values()].some((entry) => entry.source.tokenVersions.some((version) => entry.keyStore.hasKeySet(version))),
    warmUp: async () => {
      await Promise.all([...sources.values()].map(warmUp));
    },
  });
}

/** The key store of one key source: its discovery document (a B2C user flow's, checked as such) and key set only. */
export function keyStoreForSource(source: KeySource, options: { readonly fetch: FetchLike; readonly now: () => number; readonly events?: KeySetEvents }): EntraKeyStore {
  return new EntraKeyStore({
    instance: source.instance,
    tenant: source.tenant,
    fetch: options.fetch,
    now: options.now,
    ...(options.events && { events: options.events }),
    ...(source.discoveryUrl !== undefined &&
      source.expectedIssuer !== undefined && {
        discovery: { url: source.discoveryUrl, parse: (body: unknown) => parseB2cMetadata(body, source.expectedIssuer as string, source.instance) },
      }),
  });
}

/** One key source as the verifier runs it: the settings its steps read, and those steps. */
export interface ResolvedKeySource {
  readonly source: KeySource;
  readonly settings: AuthSettings;
  readonly steps: readonly VerificationStep[];
}

/**
 * The key source a token's (unverified) payload routes to, as the verifier routes it,
 * or why none: for a diagnostic tool that runs the steps itself (the inspector).
 */
export function resolveKeySource(settings: AuthSettings, payload: Readonly<Record<string, unknown>>): ResolvedKeySource | { readonly problem: string } {
  const routes = buildAuthorityRoutes(settings.authorities);
  const { iss } = payload;
  const found = typeof iss === 'string' ? routes.find(iss, payload.tid) : undefined;
  if (!found) return { problem: 'iss is not the issuer of any configured authority' };
  let source: KeySource | undefined;
  if (isUserFlowMap(found.source)) {
    const flow: unknown = payload.tfp ?? payload.acr;
    source = typeof flow === 'string' ? found.source.get(flow.toLowerCase()) : undefined;
    if (!source) return { problem: `the token's user flow (tfp or acr) is not one ${found.authority.name} accepts` };
  } else {
    source = found.source;
  }
  const { authority } = source;
  const steps = authority.kind === 'b2c' && source.userFlow !== undefined ? b2cVerificationSteps(authority.tenantId, source.userFlow) : VERIFICATION_STEPS;
  return { source, settings: sourceSettings(settings, source), steps };
}

function isUserFlowMap(target: KeySource | ReadonlyMap<string, KeySource>): target is ReadonlyMap<string, KeySource> {
  return target instanceof Map;
}

/** The settings one key source verifies with: its authority's tenant, audiences, origin and versions; the rest global. */
function sourceSettings(settings: AuthSettings, source: KeySource): AuthSettings {
  const authority: AuthorityConfig = source.authority;
  return Object.freeze({
    ...settings,
    tenant: authority.kind === 'workforce' ? authority.tenant : Object.freeze({ kind: 'single' as const, tenantId: authority.tenantId }),
    clientId: authority.clientId,
    appIdUri: authority.appIdUri,
    audiences: authority.audiences,
    instance: source.instance,
    tokenVersions: source.tokenVersions,
    allowedClientApps: authority.allowedClientApps ?? settings.allowedClientApps,
    authorities: Object.freeze([authority]),
  });
}
