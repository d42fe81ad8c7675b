import type { JWK } from 'jose';
import { IssuerMismatchError, KeysUnavailableError } from '../../src/errors/authErrors';
import type { EntraAccessTokenClaims } from '../../src/entra/accessTokenClaims';
import { UNKNOWN_KID_REFRESH_MS } from '../../src/entra/entraKeyStore';
import { checkKeyTenant } from '../../src/verify/tokenRules';
import { OTHER_TENANT, TENANT, createTestKey, mintAccessToken, type TestKey, type TokenOptions } from '../support/entraTokens';
import { outcome, startHarness, type Harness, type HarnessOptions } from '../support/verifierHarness';

/**
 * Entra's v1 key sets name no issuer per key; its v2 sets publish the same keys, each
 * with the issuer it may sign for. A key the v2 set binds to one tenant must not verify
 * another tenant's v1 token just because the v1 set is silent about it (Microsoft.IdentityModel:
 * IDX40005; conformance key-issuer:foreign-tenant-key).
 */

/** Not allowed anywhere here; the tenant a foreign key is bound to. */
const THIRD_TENANT = '3c8e1d2a-5b7f-4e6a-9d0c-1f2e3a4b5c6d';
const RETRY_AFTER_FAILURE_MS = 15_000;
const V2_KEYS = '/discovery/v2.0/keys';
const DAY_MS = 24 * 3600 * 1000;

let key: TestKey;
let foreignKey: TestKey;
let v1OnlyKey: TestKey;
const running: Harness[] = [];

beforeAll(() => {
  key = createTestKey('entra-shared-key');
  foreignKey = createTestKey('foreign-tenant-key');
  v1OnlyKey = createTestKey('v1-only-key');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness({ key, ...options });
  running.push(h);
  return h;
}

/** The key as the v2 set publishes it, bound to `tenant`'s issuer (or the template). */
function boundTo(h: Harness, signingKey: TestKey, tenant: string): JWK {
  return { ...signingKey.publicJwk, issuer: `${h.server.url}/${tenant}/v2.0` } as JWK;
}

function token(h: Harness, signingKey: TestKey, options: TokenOptions = {}): Promise<string> {
  return mintAccessToken(signingKey, { version: '1.0', instance: h.server.url, now: Math.floor(h.clock.now / 1000), ...options });
}

/** Waits, briefly and boundedly, for something a background refresh does. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error('timed out waiting for a background refresh');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function v2Fetches(h: Harness): number {
  return h.fetches.filter((url) => url.endsWith(V2_KEYS)).length;
}

describe("a v1 token's signing key, as the v2 key set publishes it", () => {
  it('refuses a v1 token signed by a key the v2 set binds to another tenant, as key.issuer', async () => {
    const h = await harness();
    h.server.setKeys([key.publicJwk, foreignKey.publicJwk], [key.publicJwk, boundTo(h, foreignKey, THIRD_TENANT)]);
    const error = await h.verifier.verify(await token(h, foreignKey)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(IssuerMismatchError);
    expect(error).toMatchObject({
      code: 'issuer_mismatch',
      check: 'key.issuer',
      message: 'the signing key is published for another tenant (the v2 key set names its issuer)',
      facts: { tenantId: TENANT, version: '1.0', kid: foreignKey.kid },
    });
    // The same key refuses a v2 token too (its own set names the issuer), and the tenant's other key verifies both versions.
    expect(await outcome(h.verifier, await token(h, foreignKey, { version: '2.0' }))).toBe('issuer_mismatch');
    expect(await outcome(h.verifier, await token(h, key))).toBe('ok');
    expect(await outcome(h.verifier, await token(h, key, { version: '2.0' }))).toBe('ok');
  });

  it("accepts a v1 token whose key the v2 set binds to the token's own tenant or to the {tenantid} template", async () => {
    const h = await harness({ env: { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` } });
    h.server.setKeys([key.publicJwk, foreignKey.publicJwk], [boundTo(h, key, '{tenantid}'), boundTo(h, foreignKey, OTHER_TENANT)]);
    expect(await outcome(h.verifier, await token(h, key, { tenant: TENANT }))).toBe('ok');
    expect(await outcome(h.verifier, await token(h, key, { tenant: OTHER_TENANT }))).toBe('ok');
    expect(await outcome(h.verifier, await token(h, foreignKey, { tenant: OTHER_TENANT }))).toBe('ok');
    // Both tenants are allowed, but the key signs for one of them only.
    await expect(h.verifier.verify(await token(h, foreignKey, { tenant: TENANT }))).rejects.toMatchObject({ code: 'issuer_mismatch', check: 'key.issuer' });
  });

  it('accepts a v1 token whose kid the v2 set does not publish, and forces no v2 refresh for it, however many arrive', async () => {
    const h = await harness();
    h.server.setKeys([key.publicJwk, v1OnlyKey.publicJwk], [key.publicJwk]);
    expect(await outcome(h.verifier, await token(h, v1OnlyKey))).toBe('ok');
    for (let round = 0; round < 3; round++) {
      h.clock.now += UNKNOWN_KID_REFRESH_MS; // each round, an unknown-kid refresh would be allowed again
      const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => outcome(h.verifier, await token(h, v1OnlyKey, { claims: { uti: `r${round}-${i}` } }))));
      expect(new Set(results)).toEqual(new Set(['ok']));
    }
    expect(v2Fetches(h)).toBe(1);
    // A v2 token naming that kid is another matter: not in its own version's set.
    expect(await outcome(h.verifier, await token(h, v1OnlyKey, { version: '2.0' }))).toBe('key_not_found');
  });

  it('refuses a v1 token as keys_unavailable (503) while the v2 key set cannot be loaded, then verifies it once it can', async () => {
    const h = await harness();
    h.server.v2KeysFault = 'down';
    const v1Token = await token(h, key);
    const error = await h.verifier.verify(v1Token).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KeysUnavailableError);
    expect(error).toMatchObject({ code: 'keys_unavailable', check: 'jwks.fetch', retryAfterSeconds: RETRY_AFTER_FAILURE_MS / 1000, facts: { tenantId: TENANT, version: '1.0', kid: key.kid } });
    expect((error as KeysUnavailableError).message).toMatch(/^v2\.0 signing keys unavailable/);
    expect((error as KeysUnavailableError).http.status).toBe(503);

    h.server.v2KeysFault = undefined;
    h.clock.now += RETRY_AFTER_FAILURE_MS;
    expect(await outcome(h.verifier, v1Token)).toBe('ok');
  });

  it('keeps verifying v1 tokens with the last good v2 key set when its daily refresh fails', async () => {
    const h = await harness({ cacheSize: 0 });
    const v1Token = await token(h, key, { lifetimeSeconds: 26 * 3600 });
    expect(await outcome(h.verifier, v1Token)).toBe('ok');
    h.server.v2KeysFault = 'down';
    h.clock.now += DAY_MS + 1;
    expect(await outcome(h.verifier, v1Token)).toBe('ok'); // starts the background refreshes
    await eventually(() => h.events.fallback.length > 0);
    expect(h.events.fallback).toEqual([expect.objectContaining({ version: '2.0', check: 'jwks.fetch', reason: 'expired' })]);
    expect(await outcome(h.verifier, v1Token)).toBe('ok');
  });

  it('warms the v2 key set up too when only v1 tokens are accepted, so the first v1 token waits for nothing', async () => {
    const h = await harness({ env: { AUTH_TOKEN_VERSIONS: '1.0' } });
    await h.verifier.warmUp();
    // Loaded side by side, so in either order.
    expect(new Set(h.fetches.filter((url) => url.includes('/discovery/')))).toEqual(new Set([`${h.server.url}/${TENANT}/discovery/keys`, `${h.server.url}/${TENANT}${V2_KEYS}`]));
    const fetched = h.fetches.length;
    expect(await outcome(h.verifier, await token(h, key))).toBe('ok');
    expect(h.fetches).toHaveLength(fetched);
  });
});

describe('checkKeyTenant', () => {
  const claims = { tid: TENANT } as EntraAccessTokenClaims;
  const INSTANCE = 'https://login.microsoftonline.com';

  it.each([
    ['no issuer (the kid is not in the v2 set)', undefined],
    ['the {tenantid} template', `${INSTANCE}/{tenantid}/v2.0`],
    ["the token's tenant", `${INSTANCE}/${TENANT}/v2.0`],
    ["the token's tenant in upper case", `${INSTANCE}/${TENANT.toUpperCase()}/v2.0`],
    ["the token's tenant in a sovereign cloud", `https://login.microsoftonline.us/${TENANT}/v2.0`],
  ])('passes a key published for %s', (_name, issuer) => {
    expect(() => {
      checkKeyTenant(claims, issuer);
    }).not.toThrow();
  });

  it.each([
    ['another tenant', `${INSTANCE}/${OTHER_TENANT}/v2.0`],
    ["the consumers tenant (a Microsoft-account key)", `${INSTANCE}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0`],
    ["a tenant whose ID merely contains the token's", `${INSTANCE}/${TENANT}0/v2.0`],
    ['an issuer with no tenant segment', INSTANCE],
    ['an issuer that is not a URL', TENANT],
  ])('refuses a key published for %s, as key.issuer', (_name, issuer) => {
    let thrown: unknown;
    try {
      checkKeyTenant(claims, issuer);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IssuerMismatchError);
    expect(thrown).toMatchObject({ code: 'issuer_mismatch', check: 'key.issuer' });
  });
});
