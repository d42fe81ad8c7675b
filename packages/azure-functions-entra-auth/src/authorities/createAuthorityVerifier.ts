import { EntraKeyStore } from '../entra/entraKeyStore';
import { ClaimInvalidError, IssuerMismatchError } from '../errors/authErrors';
import { createNodeHttpFetch } from '../net/nodeHttpFetch';
import type { AuthSettings } from '../settings/authSettings';
import { createAccessTokenVerifier, type VerifierDependencies } from '../verify/createAccessTokenVerifier';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../verify/verifiedAccessToken';
import { createVerificationContext, type VerificationContext } from '../verify/verificationSteps';
import type { AuthorityConfig } from './authorityConfig';
import { buildAuthorityRoutes, type AuthorityRoutes, type KeySource } from './authorityRoutes';
import { b2cVerificationSteps, parseB2cMetadata } from './b2cVerification';

export interface AuthorityVerifier extends AccessTokenVerifier {
  /** Every issuer and key source, as worked out at startup (for diagnostics). */
  readonly routes: AuthorityRoutes;
}

/** Entries the verified-token cache of one key source holds at least, however many sources share the budget. */
const MIN_SOURCE_CACHE_ENTRIES = 1_000;

/**
 * The verifier for several authorities. A token is routed by its exact `iss` (and, for
 * B2C, its user flow) to one key source before anything else is looked up; that
 * source's verifier, with its own key store and its own verified-token cache, runs
 * every step. Nothing in a token can make one source's keys or cache serve another's.
 * The cache budget (`cacheSize`, `cacheBytes`) is shared out among the sources.
 */
export function createAuthorityVerifier(settings: AuthSettings, dependencies: Omit<VerifierDependencies, 'keyStore' | 'steps' | 'authority'> = {}): AuthorityVerifier {
  const routes = buildAuthorityRoutes(settings.authorities);
  const now = dependencies.now ?? Date.now;
  const fetch = dependencies.fetch ?? createNodeHttpFetch();
  const count = routes.sources.length;
  const totalEntries = dependencies.cacheSize ?? 10_000;
  const cacheSize = totalEntries === 0 ? 0 : Math.max(MIN_SOURCE_CACHE_ENTRIES, Math.floor(totalEntries / count));
  const cacheBytes = Math.max(1024 * 1024, Math.floor((dependencies.cacheBytes ?? 32 * 1024 * 1024) / count));

  const verifiers = new Map<KeySource, AccessTokenVerifier>();
  for (const source of routes.sources) {
    const { authority } = source;
    const keyStore = new EntraKeyStore({
      instance: source.instance,
      tenant: source.tenant,
      fetch,
      now,
      ...(dependencies.events && { events: dependencies.events }),
      ...(source.discoveryUrl !== undefined &&
        source.expectedIssuer !== undefined && {
          discovery: { url: source.discoveryUrl, parse: (body: unknown) => parseB2cMetadata(body, source.expectedIssuer as string, source.instance) },
        }),
    });
    verifiers.set(
      source,
      createAccessTokenVerifier(sourceSettings(settings, source), {
        now,
        keyStore,
        cacheSize,
        cacheBytes,
        authority: Object.freeze({ name: authority.name, kind: authority.kind }),
        ...(authority.kind === 'b2c' && source.userFlow !== undefined && { steps: b2cVerificationSteps(authority.tenantId, source.userFlow) }),
      }),
    );
  }

  function route(token: string): AccessTokenVerifier {
    // Decoding checks form and size first, as the single-authority verifier does; the payload is then read for iss only.
    const context: VerificationContext = createVerificationContext(token, { settings, nowSeconds: now() / 1000 });
    const { payload, facts } = context;
    const { iss } = payload;
    if (typeof iss !== 'string' || iss === '') {
      throw new ClaimInvalidError('iss', iss === undefined ? 'missing' : 'invalid', iss === undefined ? 'iss is required' : 'iss must be a non-empty string', { facts });
    }
    const found = routes.find(iss, payload.tid);
    if (!found) throw new IssuerMismatchError('iss is not the issuer of any configured authority', 'claims.iss', { facts });
    const { source: target } = found;
    if (!isUserFlowMap(target)) return verifiers.get(target) as AccessTokenVerifier;
    const flow: unknown = payload.tfp ?? payload.acr;
    const claim = payload.tfp !== undefined ? 'tfp' : 'acr';
    if (flow === undefined) throw new ClaimInvalidError('tfp', 'missing', 'a B2C token names its user flow in tfp (or acr)', { facts });
    if (typeof flow !== 'string') throw new ClaimInvalidError(claim, 'invalid', `${claim} must be a string`, { facts });
    const source = target.get(flow.toLowerCase());
    if (!source) throw new IssuerMismatchError(`the token's user flow is not one ${found.authority.name} accepts`, `claims.${claim}`, { facts });
    return verifiers.get(source) as AccessTokenVerifier;
  }

  return Object.freeze({
    routes,
    verify(token: string): Promise<VerifiedAccessToken> {
      let verifier: AccessTokenVerifier;
      try {
        verifier = route(token);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new TypeError(`routing threw a non-Error: ${String(error)}`));
      }
      return verifier.verify(token);
    },
    keysLoaded: () => [...verifiers.values()].some((verifier) => verifier.keysLoaded()),
    warmUp: async () => {
      await Promise.all([...verifiers.values()].map((verifier) => verifier.warmUp()));
    },
  });
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
