import { verify as verifyRsa } from 'node:crypto';
import type { AuthSettings } from '../config/authSettings';
import { keyStoreFor, type EntraKeyStore, type KeySetEvents } from '../entra/entraKeyStore';
import type { VerificationKey } from '../entra/signingKeys';
import { SignatureInvalidError, TokenMalformedError } from '../errors/authErrors';
import type { FetchLike } from '../net/fetchJson';
import type { AccessTokenVerifier, VerifiedAccessToken } from './verifiedAccessToken';
import { VERIFICATION_STEPS, createVerificationContext, verifiedToken } from './verificationSteps';
import { VerifiedTokenCache } from './verifiedTokenCache';

export interface VerifierDependencies {
  /** Defaults to the global fetch. */
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
}

/**
 * Builds the verifier for Entra access tokens: the steps of VERIFICATION_STEPS
 * (lib/verify/verificationSteps.ts), cheapest first, so junk is refused before any
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
      ? new VerifiedTokenCache({ maxEntries: cacheSize, maxBytes: dependencies.cacheBytes ?? 32 * 1024 * 1024, clockSkewSeconds: settings.clockSkewSeconds, now })
      : undefined;

  const network = { keyStore, verifySignature };

  /** Runs every verification step in order; each throws its typed, complete error. */
  async function verifyFully(token: string): Promise<VerifiedAccessToken> {
    const context = createVerificationContext(token, { settings, nowSeconds: now() / 1000, network });
    for (const step of VERIFICATION_STEPS) {
      const pending = step.run(context);
      if (pending) await pending; // most steps are synchronous: no needless turn of the event loop
    }
    return verifiedToken(context);
  }

  return {
    keysLoaded: () => settings.tokenVersions.some((version) => keyStore.hasKeySet(version)),
    warmUp: async () => {
      await Promise.all(settings.tokenVersions.map((version) => keyStore.preload(version)));
    },
    async verify(token: string): Promise<VerifiedAccessToken> {
      if (!cache) return verifyFully(token);
      const digest = cache.digest(token);
      const cached = cache.get(digest); // undefined once past exp + skew: then verifyFully refuses it as expired
      if (cached) {
        if (keyStore.hasKey(cached.version, cached.kid)) return cached;
        cache.delete(digest); // its key was withdrawn: verify from scratch
      }
      const verified = await verifyFully(token);
      cache.set(digest, verified, token.length);
      return verified;
    },
  };
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
    valid = verifyRsa('sha256', Buffer.from(token.slice(0, dot), 'latin1'), key, Buffer.from(token.slice(dot + 1), 'base64url'));
  } catch (cause) {
    throw new TokenMalformedError('token rejected by the signature check', 'signature', { cause });
  }
  if (!valid) throw new SignatureInvalidError('signature does not verify with the published key', 'signature');
}
