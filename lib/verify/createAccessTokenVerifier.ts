import { verify as verifyRsa } from 'node:crypto';
import type { AuthSettings } from '../config/authSettings';
import { readAccessTokenClaims } from '../entra/accessTokenClaims';
import { EntraKeyStore, type KeySetEvents } from '../entra/entraKeyStore';
import type { VerificationKey } from '../entra/signingKeys';
import { AuthError, SignatureInvalidError, TokenExpiredError, TokenMalformedError, safeLogValue, type TokenFacts } from '../errors/authErrors';
import { checkJoseHeader } from '../jwt/checkJoseHeader';
import { decodeCompactJwt } from '../jwt/decodeCompactJwt';
import type { FetchLike } from '../net/fetchJson';
import { checkAccessToken, checkAudience, checkClientApp, checkIssuer, checkLifetime, checkTenant, checkTokenVersion } from './tokenRules';
import type { AccessTokenVerifier, VerifiedAccessToken } from './verifiedAccessToken';
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
 * Builds the verifier for Entra access tokens. Checks run cheapest first, so junk is
 * refused before any key lookup or RSA work: form and size, JOSE header, claim
 * shapes, version, audience, lifetime, tenant, caller; then the issuer against the
 * version's discovery metadata, the key from the tenant's key set, and the signature.
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

  async function verifyFully(token: string): Promise<VerifiedAccessToken> {
    const { header, payload } = decodeCompactJwt(token);
    try {
      const { kid } = checkJoseHeader(header);
      const claims = readAccessTokenClaims(payload);
      const version = checkTokenVersion(claims, settings);
      checkAudience(payload, header, settings);
      checkLifetime(claims, now() / 1000, settings.clockSkewSeconds);
      const tenantId = checkTenant(claims, settings);
      const clientAppId = checkAccessToken(claims, version);
      checkClientApp(clientAppId, version, settings);

      checkIssuer(claims, (await keyStore.metadata(version)).issuer);
      const key = await keyStore.key(version, kid);
      if (key.issuer !== undefined) checkIssuer(claims, key.issuer, 'key.issuer');
      verifySignature(token, key.key);
      return Object.freeze({ claims, version, tenantId, clientAppId, kid });
    } catch (error) {
      // Only failures are logged, so the facts are read only for them.
      if (error instanceof AuthError) error.facts = readFacts(header, payload);
      throw error;
    }
  }

  return {
    keysLoaded: () => settings.tokenVersions.some((version) => keyStore.hasKeySet(version)),
    warmUp: async () => {
      await Promise.all(settings.tokenVersions.map((version) => keyStore.preload(version)));
    },
    async verify(token: string): Promise<VerifiedAccessToken> {
      const cached = cache?.get(token);
      if (cached) {
        if (now() / 1000 - settings.clockSkewSeconds >= cached.claims.exp) {
          cache?.delete(token);
          const error = new TokenExpiredError('token has expired', 'claims.exp');
          error.facts = factsOf(cached);
          throw error;
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

/**
 * RS256 over the JWS signing input as sent. The header and payload were already
 * decoded and checked, more strictly than jose would (alg pinned, crit/b64 refused,
 * canonical base64url), and the key is a KeyObject made once per key, so what
 * remains is one synchronous node:crypto call: the RSA work itself. WebCrypto's
 * verify does the same work on the thread pool, and its round trip cost about as
 * much again per token in `npm run bench`. A KeyObject of type 'rsa' verifies with
 * PKCS#1 v1.5 padding, which is what RS256 is.
 */
function verifySignature(token: string, key: VerificationKey): void {
  const dot = token.lastIndexOf('.');
  let valid: boolean;
  try {
    valid = verifyRsa('sha256', Buffer.from(token.slice(0, dot), 'latin1'), key, Buffer.from(token.slice(dot + 1), 'base64url'));
  } catch (cause) {
    throw new TokenMalformedError('token rejected by the signature check', 'signature', { cause });
  }
  if (!valid) throw new SignatureInvalidError('signature does not verify with the published key', 'signature');
}

function readFacts(header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): TokenFacts {
  return dropUndefined({
    tenantId: safeLogValue(payload.tid),
    clientAppId: safeLogValue(payload.azp ?? payload.appid),
    version: safeLogValue(payload.ver),
    kid: safeLogValue(header.kid),
  });
}

function factsOf(verified: VerifiedAccessToken): TokenFacts {
  return { tenantId: verified.tenantId, clientAppId: verified.clientAppId, version: verified.version, kid: verified.kid };
}

function dropUndefined(facts: Record<string, string | undefined>): TokenFacts {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined));
}
