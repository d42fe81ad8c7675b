import { createHash } from 'node:crypto';
import { loadAuthSettings, type TokenVersion } from '../../src/settings/authSettings';
import { EntraKeyStore, UNKNOWN_KID_REFRESH_MS } from '../../src/entra/entraKeyStore';
import type { SigningKey } from '../../src/entra/signingKeys';
import { TokenExpiredError } from '../../src/errors/authErrors';
import { createAccessTokenVerifier } from '../../src/verify/createAccessTokenVerifier';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../../src/verify/verifiedAccessToken';
import { SecondSightAdmission } from '../../src/verify/secondSightAdmission';
import { VerifiedTokenCache, entryBytes } from '../../src/verify/verifiedTokenCache';
import { API_CLIENT_ID, APP_ID_URI, CALLER_APP, TENANT, createTestKey, mintAccessToken, type TestKey } from '../support/entraTokens';
import { FakeEntraMetadataServer } from '../support/fakeEntraMetadataServer';
import { outcome } from '../support/verifierHarness';

/**
 * The real key store, counting key lookups (loaded or loading). The verifier looks a key up only when it
 * verifies a token in full, so the count shows which verifications the cache answered.
 */
class CountingKeyStore extends EntraKeyStore {
  lookups = 0;

  override loadedKey(version: TokenVersion, kid: string): SigningKey | undefined {
    this.lookups++;
    const loaded = super.loadedKey(version, kid);
    if (loaded === undefined) this.lookups--; // the verifier goes on to key(), which counts it
    return loaded;
  }

  override key(version: TokenVersion, kid: string): Promise<SigningKey> {
    this.lookups++;
    return super.key(version, kid);
  }
}

interface Rig {
  readonly server: FakeEntraMetadataServer;
  readonly verifier: AccessTokenVerifier;
  readonly keyStore: CountingKeyStore;
  readonly clock: { now: number };
  readonly fetches: string[];
  token(key?: TestKey, lifetimeSeconds?: number): Promise<string>;
}

let key: TestKey;
let otherKey: TestKey;
const running: FakeEntraMetadataServer[] = [];

beforeAll(() => {
  key = createTestKey('cache-key');
  otherKey = createTestKey('cache-other-key');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function startRig(options: { cacheSize?: number; clockSkewSeconds?: number } = {}): Promise<Rig> {
  const server = await new FakeEntraMetadataServer().start();
  running.push(server);
  server.setKeys([key.publicJwk, otherKey.publicJwk]);
  const settings = loadAuthSettings({
    AUTH_TENANT_ID: TENANT,
    AUTH_CLIENT_ID: API_CLIENT_ID,
    AUTH_APP_ID_URI: APP_ID_URI,
    AUTH_INSTANCE: server.url,
    ...(options.clockSkewSeconds !== undefined && { AUTH_CLOCK_SKEW_SECONDS: String(options.clockSkewSeconds) }),
  });
  const clock = { now: Date.now() };
  const fetches: string[] = [];
  const keyStore = new CountingKeyStore({
    instance: settings.instance,
    tenant: TENANT,
    fetch: (input, init) => {
      fetches.push(input);
      return fetch(input, init);
    },
    now: () => clock.now,
  });
  const verifier = createAccessTokenVerifier(settings, {
    keyStore,
    now: () => clock.now,
    ...(options.cacheSize !== undefined && { cacheSize: options.cacheSize }),
  });
  return {
    server,
    verifier,
    keyStore,
    clock,
    fetches,
    token: (signer = key, lifetimeSeconds = 3600) =>
      mintAccessToken(signer, { instance: server.url, now: Math.floor(clock.now / 1000), lifetimeSeconds }),
  };
}

/** Verifies `token` twice, as second-sight admission needs to remember it; returns what the cache now holds. */
async function admit(verifier: AccessTokenVerifier, token: string): Promise<VerifiedAccessToken> {
  await verifier.verify(token);
  return verifier.verify(token);
}

describe('the verified-token cache', () => {
  it('verifies a token in full at its first two sightings and answers every later one from memory', async () => {
    const rig = await startRig();
    const token = await rig.token();
    const first = await rig.verifier.verify(token);
    expect(rig.keyStore.lookups).toBe(1);
    const second = await rig.verifier.verify(token);
    expect(rig.keyStore.lookups).toBe(2);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);

    for (let i = 0; i < 3; i++) expect(await rig.verifier.verify(token)).toBe(second);
    expect(rig.keyStore.lookups).toBe(2);

    // The counter does count: a token not seen before is verified in full.
    await rig.verifier.verify(await rig.token());
    expect(rig.keyStore.lookups).toBe(3);
  });

  it('gives a token seen once no entry: a flood of one-off tokens leaves a repeating token cached', async () => {
    const rig = await startRig({ cacheSize: 2 });
    const daemon = await rig.token();
    const cached = await admit(rig.verifier, daemon);
    const oneOffs = await Promise.all(Array.from({ length: 6 }, () => rig.token()));
    for (const oneOff of oneOffs) expect(await outcome(rig.verifier, oneOff)).toBe('ok');
    const lookups = rig.keyStore.lookups;

    // Stored on first sight, the six would have evicted it from a cache of 2 entries.
    expect(await rig.verifier.verify(daemon)).toBe(cached);
    expect(rig.keyStore.lookups).toBe(lookups);
  });

  it('keys entries by the token digest: a tampered copy of a cached token is verified in full and refused', async () => {
    const rig = await startRig();
    const token = await rig.token();
    await admit(rig.verifier, token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = Buffer.from(signature, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 0x01;
    // Its first signature byte changed: the token ends as the cached one does, so it is looked up by digest, and misses.
    const tampered = `${header}.${payload}.${flipped.toString('base64url')}`;
    expect(await outcome(rig.verifier, tampered)).toBe('signature_invalid');
    expect(rig.keyStore.lookups).toBe(3);
    expect(await outcome(rig.verifier, token)).toBe('ok');
    expect(rig.keyStore.lookups).toBe(3); // the token itself is still answered from memory
  });

  it('refuses a forged payload under a cached token\'s signature: seen-before endings are looked up by digest, never trusted', async () => {
    const rig = await startRig();
    const token = await rig.token();
    await admit(rig.verifier, token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['Orders.Admin'] })).toString('base64url')}.${signature}`;
    for (let i = 0; i < 3; i++) expect(await outcome(rig.verifier, forged)).toBe('signature_invalid');
    expect(rig.keyStore.lookups).toBe(5);
  });

  it.each([300, 60, 0])('with a clock skew of %d s refuses a cached token with token_expired once the clock reaches exp + skew', async (skew) => {
    const rig = await startRig({ clockSkewSeconds: skew });
    const token = await rig.token(key, 600);
    const verified = await admit(rig.verifier, token);
    const exp = verified.claims.exp;

    rig.clock.now = (exp + skew) * 1000 - 1;
    expect(await rig.verifier.verify(token)).toBe(verified);

    rig.clock.now = (exp + skew) * 1000;
    const error = await rig.verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect(error).toMatchObject({ code: 'token_expired', check: 'claims.exp', facts: { tenantId: TENANT, clientAppId: CALLER_APP, version: '2.0', kid: key.kid } });
    expect(rig.keyStore.lookups).toBe(2);
  });

  it('drops an expired token: with the clock set back it is verified in full again', async () => {
    const rig = await startRig();
    const token = await rig.token(key, 600);
    const verified = await admit(rig.verifier, token);
    const start = rig.clock.now;

    rig.clock.now = (verified.claims.exp + 300) * 1000;
    expect(await outcome(rig.verifier, token)).toBe('token_expired');

    rig.clock.now = start;
    const again = await rig.verifier.verify(token);
    expect(again).not.toBe(verified);
    expect(again).toEqual(verified);
    expect(rig.keyStore.lookups).toBe(3);
  });

  it('with cacheSize 0 verifies every request in full', async () => {
    const rig = await startRig({ cacheSize: 0 });
    const token = await rig.token();
    const results: VerifiedAccessToken[] = [];
    for (let i = 0; i < 3; i++) results.push(await rig.verifier.verify(token));
    expect(rig.keyStore.lookups).toBe(3);
    expect(results[1]).not.toBe(results[0]);
    expect(results[1]).toEqual(results[0]);
  });

  it('is bounded and evicts the least recently used token', async () => {
    const rig = await startRig({ cacheSize: 2 });
    const [t1, t2, t3] = await threeTokensInDistinctAdmissionSlots(rig, 2);
    const verifyCounting = async (token: string) => {
      const before = rig.keyStore.lookups;
      expect(await outcome(rig.verifier, token)).toBe('ok');
      return rig.keyStore.lookups - before; // 0: answered by the cache; 1: verified in full
    };

    // Each is verified in full twice and stored at the second.
    for (const token of [t1, t2, t3]) expect([await verifyCounting(token), await verifyCounting(token)]).toEqual([1, 1]);
    // t1 was evicted by t3; t2 and t3 are cached.
    expect(await verifyCounting(t3)).toBe(0);
    expect(await verifyCounting(t2)).toBe(0);
    expect(await verifyCounting(t1)).toBe(1); // seen before: stored again, evicting t3, the least recently used
    expect(await verifyCounting(t2)).toBe(0);
    expect(await verifyCounting(t1)).toBe(0);
    expect(await verifyCounting(t3)).toBe(1);
  });

  it('drops a cached token whose key was withdrawn from the refreshed key set', async () => {
    const rig = await startRig();
    const token = await rig.token(key);
    await admit(rig.verifier, token);
    rig.server.setKeys([otherKey.publicJwk]);

    // An unknown-kid refresh, after the 30-second cooldown, sees the key go.
    rig.clock.now += UNKNOWN_KID_REFRESH_MS;
    expect(await outcome(rig.verifier, await rig.token(createTestKey('not-published')))).toBe('key_not_found');
    const lookupsBefore = rig.keyStore.lookups;

    expect(await outcome(rig.verifier, token)).toBe('key_not_found');
    expect(rig.keyStore.lookups).toBe(lookupsBefore + 1); // verified in full, not answered from the cache
    expect(await outcome(rig.verifier, await rig.token(otherKey))).toBe('ok');
  });

  it('answers a cached token from memory alone, even with the key endpoints down and the key set a day old', async () => {
    const rig = await startRig();
    const token = await rig.token(key, 27 * 3600);
    const verified = await admit(rig.verifier, token);
    const fetched = rig.fetches.length;
    rig.server.discoveryFault = 'down';
    rig.server.keysFault = 'down';
    rig.clock.now += 24 * 3600_000 + 1;
    expect(await rig.verifier.verify(token)).toBe(verified);
    expect(rig.keyStore.lookups).toBe(2);
    expect(rig.fetches).toHaveLength(fetched);
  });
});

/**
 * Tokens whose digests take distinct slots in an admission table like the verifier's
 * (sized by the same cache size), so each is admitted at its second verification
 * whatever the others do: a slot collision only delays admission, which would make
 * an eviction-order test depend on luck.
 */
async function threeTokensInDistinctAdmissionSlots(rig: Rig, cacheSize: number): Promise<[string, string, string]> {
  for (;;) {
    const tokens: [string, string, string] = [await rig.token(), await rig.token(), await rig.token()];
    const probe = new SecondSightAdmission(cacheSize);
    for (const token of tokens) probe.record(token);
    if (tokens.every((token) => probe.seenBefore(token))) return tokens;
  }
}

describe('VerifiedTokenCache', () => {
  const NOW_MS = 1_800_000_000_000;
  const EXP = NOW_MS / 1000 + 3600;
  const entry = (kid: string, exp = EXP): VerifiedAccessToken => ({
    claims: { iss: 'i', aud: 'a', exp, tid: TENANT, ver: '2.0' },
    version: '2.0',
    tenantId: TENANT,
    clientAppId: CALLER_APP,
    kid,
    isAppOnly: true,
    roles: [],
    scopes: [],
    authority: { name: 'default', kind: 'workforce' },
    userFlow: undefined,
  });
  const newCache = (options: { maxEntries?: number; maxBytes?: number; skew?: number; maxLifetime?: number } = {}) => {
    const clock = { now: NOW_MS };
    const cache = new VerifiedTokenCache({
      maxEntries: options.maxEntries ?? 10,
      maxBytes: options.maxBytes ?? 1024 * 1024,
      clockSkewSeconds: options.skew ?? 300,
      maxLifetimeSeconds: options.maxLifetime ?? 100_800,
      now: () => clock.now,
    });
    const put = (token: string, value = entry(token)) => {
      cache.set(cache.digest(token), value, token.length);
    };
    const read = (token: string) => cache.get(cache.digest(token));
    return { cache, clock, put, read };
  };

  it('holds at most maxEntries, evicting the least recently read', () => {
    const { cache, put, read } = newCache({ maxEntries: 2 });
    const a = entry('a');
    put('token-a', a);
    put('token-b');
    expect(read('token-a')).toBe(a); // now b is the least recently used
    put('token-c');
    expect(cache.size).toBe(2);
    expect(read('token-b')).toBeUndefined();
    expect(read('token-a')).toBe(a);
    expect(read('token-c')?.kid).toBe('token-c');
  });

  it('has seen a token once it is sighted, and holds nothing until something is stored', () => {
    const { cache } = newCache();
    const token = `${'x'.repeat(40)}-token-a`;
    expect(cache.seenBefore(token)).toBe(false);
    cache.sighted(token);
    expect(cache.seenBefore(token)).toBe(true);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('forgets a deleted token', () => {
    const { cache, put, read } = newCache();
    put('token-a');
    cache.delete(cache.digest('token-a'));
    expect(read('token-a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is keyed by a 32-byte SHA-256 digest, never the token, and distinct strings never share a digest', () => {
    const { cache } = newCache();
    const token = `eyJ0eXAiOiJKV1QifQ.${'eyJhdWQiOiJ4In0'.repeat(50)}.c2ln`;
    const digest = cache.digest(token);
    expect(digest).toHaveLength(32);
    expect(Buffer.from(digest, 'latin1')).toEqual(createHash('sha256').update(token).digest());
    expect(token.includes(digest)).toBe(false);
    // Characters that agree in their low byte (U+0133 and '3') must not collide, as a latin1 digest would make them.
    expect(cache.digest('abc\u0133')).not.toBe(cache.digest('abc3'));
  });

  it.each([300, 0])('lets an entry live until exp + skew (%d s) by the injected clock, then drops it', (skew) => {
    const { cache, clock, put, read } = newCache({ skew });
    put('token-a');
    clock.now = (EXP + skew) * 1000 - 1;
    expect(read('token-a')?.kid).toBe('token-a');
    clock.now = (EXP + skew) * 1000;
    expect(read('token-a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops an entry after maxLifetimeSeconds even when its exp is years away', () => {
    const { cache, clock, put, read } = newCache({ maxLifetime: 600 });
    put('token-far', entry('far', NOW_MS / 1000 + 10 * 365 * 86_400));
    clock.now = NOW_MS + 600_000 - 1;
    expect(read('token-far')?.kid).toBe('far');
    clock.now = NOW_MS + 600_000 + 1;
    expect(read('token-far')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('refuses to be built without a positive maxLifetimeSeconds', () => {
    expect(() => new VerifiedTokenCache({ maxEntries: 1, maxBytes: 1, clockSkewSeconds: 0, maxLifetimeSeconds: 0, now: Date.now })).toThrow(/maxLifetimeSeconds/);
  });

  it('does not store a token already past exp + skew', () => {
    const { cache, put } = newCache({ skew: 60 });
    put('token-old', entry('old', NOW_MS / 1000 - 60));
    expect(cache.size).toBe(0);
  });

  it('is bounded by estimated bytes as well as by count: large tokens evict earlier entries', () => {
    const big = entryBytes(16 * 1024);
    const { cache, put, read } = newCache({ maxEntries: 1000, maxBytes: 3 * big });
    for (let i = 0; i < 10; i++) put(`${'x'.repeat(16 * 1024 - 8)}-${String(i).padStart(6, '0')}`);
    expect(cache.size).toBe(3);
    expect(cache.bytes).toBeLessThanOrEqual(3 * big);
    expect(read(`${'x'.repeat(16 * 1024 - 8)}-000009`)).toBeDefined();
    expect(read(`${'x'.repeat(16 * 1024 - 8)}-000000`)).toBeUndefined();
  });
});
