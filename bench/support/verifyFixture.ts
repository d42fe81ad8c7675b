import type { KeyObject } from 'node:crypto';
import { importJWK } from 'jose';
import { loadAuthSettings, type AuthSettings } from '../../packages/azure-functions-entra-auth/src/settings/authSettings';
import { EntraKeyStore } from '../../packages/azure-functions-entra-auth/src/entra/entraKeyStore';
import { createAccessTokenVerifier } from '../../packages/azure-functions-entra-auth/src/verify/createAccessTokenVerifier';
import type { AccessTokenVerifier } from '../../packages/azure-functions-entra-auth/src/verify/verifiedAccessToken';
import { API_CLIENT_ID, APP_ID_URI, TENANT, createTestKey, mintAccessToken } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { FakeEntraMetadataServer } from '../../packages/azure-functions-entra-auth/test/support/fakeEntraMetadataServer';

/**
 * Everything the verification benchmarks share, prepared outside any timed section:
 * settings, a key store already warmed from a fake Entra on 127.0.0.1 (then stopped,
 * so no network activity can land in a measurement), the same key as the KeyObject
 * the key store made and as the CryptoKey jose uses, and distinct real-shaped v2 app tokens.
 */
export interface VerifyFixture {
  readonly settings: AuthSettings;
  /** Warm: discovery and keys for v2 are cached. */
  readonly keyStore: EntraKeyStore;
  /** Distinct tokens (each has its own `uti`), all valid for about an hour. */
  readonly tokens: readonly string[];
  /** `header.payload` of each token as bytes, and its signature: the raw crypto inputs. */
  readonly signingInputs: readonly Buffer[];
  readonly signatures: readonly Buffer[];
  /** The same public key imported by jose (a WebCrypto CryptoKey), for the jose and WebCrypto reference cases. */
  readonly cryptoKey: Exclude<Awaited<ReturnType<typeof importJWK>>, Uint8Array>;
  /** The KeyObject the key store made, which the verifier verifies with. */
  readonly keyObject: KeyObject;
  readonly issuer: string;
  readonly mintSeconds: number;
  /** A verifier with its own (empty) token cache over the shared, warm key store. */
  readonly newVerifier: (cacheSize?: number) => AccessTokenVerifier;
}

const MINT_BATCH = 64;

export async function createVerifyFixture(tokenCount: number): Promise<VerifyFixture> {
  const server = await new FakeEntraMetadataServer().start();
  try {
    const key = createTestKey('bench-key');
    server.setKeys([key.publicJwk]);
    const settings = loadAuthSettings({
      AUTH_TENANT_ID: TENANT,
      AUTH_CLIENT_ID: API_CLIENT_ID,
      AUTH_APP_ID_URI: APP_ID_URI,
      AUTH_INSTANCE: server.url,
    });
    const keyStore = new EntraKeyStore({ instance: settings.instance, tenant: TENANT, fetch: (input, init) => fetch(input, init), now: Date.now });
    const metadata = await keyStore.metadata('2.0');
    const { key: keyObject } = await keyStore.key('2.0', key.kid);
    const cryptoKey = await importJWK(key.publicJwk, 'RS256');
    if (cryptoKey instanceof Uint8Array) throw new Error('jose imported the RSA key as a secret');

    const started = performance.now();
    const tokens: string[] = [];
    while (tokens.length < tokenCount) {
      const batch = Math.min(MINT_BATCH, tokenCount - tokens.length);
      tokens.push(...(await Promise.all(Array.from({ length: batch }, () => mintAccessToken(key, { instance: server.url })))));
    }
    const mintSeconds = (performance.now() - started) / 1000;
    if (new Set(tokens).size !== tokens.length) throw new Error('minted tokens are not distinct');

    const signingInputs = tokens.map((token) => Buffer.from(token.slice(0, token.lastIndexOf('.')), 'ascii'));
    const signatures = tokens.map((token) => Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url'));
    return {
      settings,
      keyStore,
      tokens,
      signingInputs,
      signatures,
      cryptoKey,
      keyObject,
      issuer: metadata.issuer,
      mintSeconds,
      newVerifier: (cacheSize?: number) => createAccessTokenVerifier(settings, { keyStore, ...(cacheSize !== undefined && { cacheSize }) }),
    };
  } finally {
    await server.stop();
  }
}

/**
 * A new, flat string with the same characters, as a request header would bring. Reusing
 * one string object would let V8 reuse its cached hash in the token cache's lookups.
 */
export function freshCopy(token: string): string {
  return Buffer.from(token, 'latin1').toString('latin1');
}
