import type { AuthSettings } from '../config/authSettings';
import { EntraKeyStore, type KeySetEvents } from '../entra/entraKeyStore';
import type { VerificationKey } from '../entra/signingKeys';
import { SignatureInvalidError, TokenExpiredError, TokenMalformedError } from '../errors/authErrors';
import type { FetchLike } from '../net/fetchJson';
import { tokenFacts, type AccessTokenVerifier, type VerifiedAccessToken } from './verifiedAccessToken';
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
    new EntraKeyStore({
      instance: settings.instance,
      tenant: settings.tenant.kind === 'single' ? settings.tenant.tenantId : settings.tenant.authorityTenant,
      fetch: dependencies.fetch ?? ((input, init) => fetch(input, init)),
      now,
      ...(dependencies.events && { events: dependencies.events }),
    });
  const cacheSize = dependencies.cacheSize ?? 10_000;
  const cache = cacheSize > 0 ? new VerifiedTokenCache(cacheSize) : undefined;

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
    async verify(token: string): Promise<VerifiedAccessToken> {
      const cached = cache?.get(token);
      if (cached) {
        if (now() / 1000 - settings.clockSkewSeconds >= cached.claims.exp) {
          cache?.delete(token);
          throw new TokenExpiredError('token has expired', 'claims.exp', { facts: tokenFacts(cached) });
        }
        if (keyStore.hasKey(cached.version, cached.kid)) return cached;
        cache?.delete(token); // its key was withdrawn: verify from scratch
      }
      const verified = await verifyFully(token);
      cache?.set(token, verified);
      return verified;
    },
  };
}

const RS256 = { name: 'RSASSA-PKCS1-v1_5' } as const;

/**
 * RS256 over the JWS signing input as sent. The header and payload were already
 * decoded and checked, more strictly than jose would (alg pinned, crit/b64 refused,
 * canonical base64url), and jose imported the key, so what remains is the one
 * WebCrypto call; going through jose's compactVerify again cost 1.3-1.5x the whole
 * of jwtVerify in `npm run bench`.
 */
export async function verifySignature(token: string, key: VerificationKey): Promise<void> {
  const dot = token.lastIndexOf('.');
  let valid: boolean;
  try {
    valid = await crypto.subtle.verify(RS256, key, Buffer.from(token.slice(dot + 1), 'base64url'), Buffer.from(token.slice(0, dot), 'ascii'));
  } catch (cause) {
    throw new TokenMalformedError('token rejected by the signature check', 'signature', { cause });
  }
  if (!valid) throw new SignatureInvalidError('signature does not verify with the published key', 'signature');
}
