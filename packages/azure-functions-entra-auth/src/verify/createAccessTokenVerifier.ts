import { verify as verifyRsa } from 'node:crypto';
import type { AuthSettings } from '../settings/authSettings';
import { keyStoreFor, type EntraKeyStore, type KeySetEvents } from '../entra/entraKeyStore';
import type { VerificationKey } from '../entra/signingKeys';
import { SignatureInvalidError, TokenMalformedError } from '../errors/authErrors';
import type { FetchLike } from '../net/fetchJson';
import type { AccessTokenVerifier, VerifiedAccessToken } from './verifiedAccessToken';
import { VERIFICATION_STEPS, createVerificationContext, verifiedToken, type VerificationContext, type VerificationStep } from './verificationSteps';
import { settled, verifyThroughCache } from './cachedVerification';
import { VerifiedTokenCache } from './verifiedTokenCache';
import type { AuthorityRef } from '../authorities/authorityConfig';
import type { DecodedJwt } from '../jwt/decodeCompactJwt';

export interface VerifierDependencies {
  /** How Entra metadata and keys are fetched; defaults to net/nodeHttpFetch (node:http and node:https). */
  readonly fetch?: FetchLike;
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
  readonly events?: KeySetEvents;
  /** Verified tokens remembered; 0 turns the cache off. Default 10 000. */
  readonly cacheSize?: number;
  /** Estimated heap the remembered tokens may hold together. Default 32 MiB. */
  readonly cacheBytes?: number;
  /** Replaces the Entra key store (for instance to share one between verifiers). */
  readonly keyStore?: EntraKeyStore;
  /** The steps run, in order; default VERIFICATION_STEPS (a B2C user flow has its own: authorities/b2cVerification.ts). */
  readonly steps?: readonly VerificationStep[];
  /** The configured authority this verifier serves, stamped on every token it verifies; default the AUTH_* form's `default`. */
  readonly authority?: AuthorityRef;
}

/**
 * Builds the verifier for Entra access tokens: the steps of VERIFICATION_STEPS
 * (verificationSteps.ts), cheapest first, so junk is refused before any
 * key lookup or RSA work: form and size, JOSE header, claim shapes, version,
 * audience, lifetime, tenant, caller; then the issuer against the version's
 * discovery metadata, the key from the tenant's key set, and the signature.
 */
export function createAccessTokenVerifier(settings: AuthSettings, dependencies: VerifierDependencies = {}): AccessTokenVerifier {
  const now = dependencies.now ?? Date.now;
  const keyStore =
    dependencies.keyStore ??
    keyStoreFor(settings, { now, ...(dependencies.fetch && { fetch: dependencies.fetch }), ...(dependencies.events && { events: dependencies.events }) });
  const cacheSize = dependencies.cacheSize ?? 10_000;
  const cache =
    cacheSize > 0
      ? new VerifiedTokenCache({ maxEntries: cacheSize, maxBytes: dependencies.cacheBytes ?? 32 * 1024 * 1024, clockSkewSeconds: settings.clockSkewSeconds, maxLifetimeSeconds: settings.maxTokenLifetimeSeconds, now })
      : undefined;

  const steps = dependencies.steps ?? VERIFICATION_STEPS;
  const authority = dependencies.authority;
  // The key_issuer step reads the v2 key set for v1 tokens, so warmUp loads it whenever that step runs.
  const bindsV1KeysToV2 = steps.some((candidate) => candidate.name === 'key_issuer');

  /**
   * Runs every verification step in order; each throws its typed, complete error.
   * Synchronous until a step must wait (a first load of metadata or keys): with
   * them loaded, a first-seen token costs no promise round trip at all.
   */
  const verifyFully = createStepRunner(settings, { keyStore, steps, now, ...(authority && { authority }) });

  const stillPublished = (cached: VerifiedAccessToken) => keyStore.hasKey(cached.version, cached.kid);

  return {
    keysLoaded: () => settings.tokenVersions.some((version) => keyStore.hasKeySet(version)),
    warmUp: async () => {
      // v1 tokens also read the v2 key set (the key_issuer step), so it is loaded whenever v1 is accepted.
      const { tokenVersions } = settings;
      const versions = bindsV1KeysToV2 && tokenVersions.includes('1.0') && !tokenVersions.includes('2.0') ? [...tokenVersions, '2.0' as const] : tokenVersions;
      await Promise.all(versions.map((version) => keyStore.preload(version)));
    },
    verify(token: string): Promise<VerifiedAccessToken> {
      try {
        return cache ? verifyThroughCache(cache, token, verifyFully, stillPublished) : settled(verifyFully(token));
      } catch (error) {
        // A refusal is always a rejection, never a synchronous throw; the steps throw only Errors.
        return Promise.reject(error instanceof Error ? error : new TypeError(`verification threw a non-Error: ${String(error)}`));
      }
    },
  };
}

/** Runs every step on one token, without a cache: the token may come decoded already (by a router that read its iss). */
export type StepRunner = (token: string, decoded?: DecodedJwt) => VerifiedAccessToken | Promise<VerifiedAccessToken>;

/**
 * The verification itself, every step in order with one key store; each throws its typed,
 * complete error. Synchronous until a step must wait (a first load of metadata or keys):
 * with them loaded, a first-seen token costs no promise round trip at all.
 */
export function createStepRunner(
  settings: AuthSettings,
  options: { readonly keyStore: EntraKeyStore; readonly steps?: readonly VerificationStep[]; readonly now: () => number; readonly authority?: AuthorityRef },
): StepRunner {
  const network = { keyStore: options.keyStore, verifySignature };
  const steps = options.steps ?? VERIFICATION_STEPS;
  const { now, authority } = options;
  return (token, decoded) =>
    runSteps(createVerificationContext(token, { settings, nowSeconds: now() / 1000, network, ...(authority && { authority }), ...(decoded && { decoded }) }), steps, 0);
}

/** Runs the steps from `first` on; at the first step that returns a promise, continues after it settles. */
function runSteps(context: VerificationContext, steps: readonly VerificationStep[], first: number): VerifiedAccessToken | Promise<VerifiedAccessToken> {
  for (let index = first; index < steps.length; index++) {
    const pending = (steps[index] as VerificationStep).run(context);
    // Promise.resolve: a step's promise from injected code (a custom signature check) may be any thenable.
    if (pending) return Promise.resolve(pending).then(() => runSteps(context, steps, index + 1));
  }
  return verifiedToken(context);
}

/**
 * RS256 over the JWS signing input as sent. The header and payload were already
 * decoded and checked, more strictly than jose would (alg pinned, crit/b64 refused,
 * canonical base64url), and the key is a KeyObject made once per key, so what
 * remains is one synchronous node:crypto call: the RSA work itself. WebCrypto's
 * verify does the same work on the thread pool, and its round trip cost about as
 * much again per token in `npm run bench`. A KeyObject of type 'rsa' verifies with
 * PKCS#1 v1.5 padding, which is what RS256 is.
 */
export function verifySignature(token: string, key: VerificationKey): void {
  const dot = token.lastIndexOf('.');
  let valid: boolean;
  try {
    // Encoding a string, 'ascii' writes the same bytes as 'latin1' (Node documents them equal), in about half the time.
    valid = verifyRsa('sha256', Buffer.from(token.slice(0, dot), 'ascii'), key, Buffer.from(token.slice(dot + 1), 'base64url'));
  } catch (cause) {
    throw new TokenMalformedError('token rejected by the signature check', 'signature', { cause });
  }
  if (!valid) throw new SignatureInvalidError('signature does not verify with the published key', 'signature');
}
