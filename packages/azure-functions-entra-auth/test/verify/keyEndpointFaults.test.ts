import { randomBytes, randomUUID } from 'node:crypto';
import { loadAuthSettings } from '../../src/settings/authSettings';
import { EntraKeyStore, UNKNOWN_KID_REFRESH_MS, type KeySetEvents } from '../../src/entra/entraKeyStore';
import { AuthError, KeysUnavailableError } from '../../src/errors/authErrors';
import type { FetchLike } from '../../src/net/fetchJson';
import { createAccessTokenVerifier } from '../../src/verify/createAccessTokenVerifier';
import type { AccessTokenVerifier } from '../../src/verify/verifiedAccessToken';
import { API_CLIENT_ID, APP_ID_URI, TENANT, accessTokenClaims, b64url, createTestKey, mintAccessToken, type TestKey, type TokenOptions } from '../support/entraTokens';
import { FakeEntraMetadataServer, type Fault } from '../support/fakeEntraMetadataServer';
import { outcome } from '../support/verifierHarness';

type RefreshedEvent = Parameters<NonNullable<KeySetEvents['onKeySetRefreshed']>>[0];
type FallbackEvent = Parameters<NonNullable<KeySetEvents['onKeySetFallback']>>[0];

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** EntraKeyStore defaults these tests rely on. */
const RETRY_AFTER_FAILURE_MS = 15_000;
const UNKNOWN_KID_COOLDOWN_MS = UNKNOWN_KID_REFRESH_MS;

interface Rig {
  readonly server: FakeEntraMetadataServer;
  readonly verifier: AccessTokenVerifier;
  /** Every URL the key store asked for, redirect hops included. */
  readonly fetches: string[];
  readonly refreshed: RefreshedEvent[];
  readonly fallback: FallbackEvent[];
  readonly clock: { now: number };
  /** A valid token signed by `key` (default: the published key), issued at the rig's clock. */
  token(options?: TokenOptions & { key?: TestKey }): Promise<string>;
  count(pathPart: string): number;
}

let publishedKey: TestKey;
let otherKey: TestKey;
const running: FakeEntraMetadataServer[] = [];

beforeAll(() => {
  publishedKey = createTestKey('published-key');
  otherKey = createTestKey('other-key');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

/**
 * A verifier over real HTTP to the fake Entra endpoints, with the key store built
 * here so that the slow fault can use a short timeout (300 ms, not 5 s). Other tests
 * keep the default, so a loaded machine cannot turn their fault into a timeout.
 */
async function startRig(options: { cacheSize?: number; timeoutMs?: number } = {}): Promise<Rig> {
  const server = await new FakeEntraMetadataServer().start();
  running.push(server);
  server.setKeys([publishedKey.publicJwk]);
  server.slowMs = 3_000;
  // The three-day test tokens (below) need a lifetime bound past the 28 h default.
  const settings = loadAuthSettings({
    AUTH_TENANT_ID: TENANT,
    AUTH_CLIENT_ID: API_CLIENT_ID,
    AUTH_APP_ID_URI: APP_ID_URI,
    AUTH_INSTANCE: server.url,
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: String(4 * 24 * 3600),
  });
  const fetches: string[] = [];
  const fetchLogged: FetchLike = (input, init) => {
    fetches.push(input);
    return fetch(input, init);
  };
  const clock = { now: Date.now() };
  const refreshed: RefreshedEvent[] = [];
  const fallback: FallbackEvent[] = [];
  const keyStore = new EntraKeyStore({
    instance: settings.instance,
    tenant: TENANT,
    fetch: fetchLogged,
    now: () => clock.now,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    events: { onKeySetRefreshed: (event) => refreshed.push(event), onKeySetFallback: (event) => fallback.push(event) },
  });
  const verifier = createAccessTokenVerifier(settings, {
    keyStore,
    now: () => clock.now,
    ...(options.cacheSize !== undefined && { cacheSize: options.cacheSize }),
  });
  return {
    server,
    verifier,
    fetches,
    refreshed,
    fallback,
    clock,
    // Three days, so the same token stays valid after the clock jumps past the 24 h key TTL.
    token: ({ key = publishedKey, ...tokenOptions } = {}) =>
      mintAccessToken(key, { instance: server.url, now: Math.floor(clock.now / 1000), lifetimeSeconds: 3 * 24 * 3600, ...tokenOptions }),
    count: (pathPart) => fetches.filter((url) => url.includes(pathPart)).length,
  };
}

/** Waits, briefly and boundedly, for something a background refresh does. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('verification succeeded');
    },
    (error: unknown) => error,
  );
}

/** A token the key store has never seen a key for; its signature is never reached, so random bytes do. */
function unknownKidToken(rig: Rig, kid = `unknown-${randomUUID()}`): string {
  const claims = accessTokenClaims({ instance: rig.server.url, now: Math.floor(rig.clock.now / 1000) });
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid })}.${b64url(claims)}.${randomBytes(256).toString('base64url')}`;
}

const V2_DISCOVERY = `/${TENANT}/v2.0/.well-known/openid-configuration`;
const V1_DISCOVERY = `/${TENANT}/.well-known/openid-configuration`;
const V2_KEYS = `/${TENANT}/discovery/v2.0/keys`;
const V1_KEYS = `/${TENANT}/discovery/keys`;

type Endpoint = 'discovery' | 'keys';

/** Each fault and whether the key store sees it while fetching or while reading what came back. */
const FAULTS: readonly (readonly [Fault, 'fetch' | 'invalid'])[] = [
  ['down', 'fetch'],
  ['refused', 'fetch'],
  ['slow', 'fetch'],
  ['html', 'fetch'],
  ['garbage', 'fetch'],
  ['not-a-key-set', 'invalid'],
  ['huge', 'fetch'],
  ['redirect-external', 'fetch'],
];

const CASES = (['discovery', 'keys'] as const).flatMap((endpoint) =>
  FAULTS.map(([fault, stage]) => [endpoint, fault, `${endpoint === 'discovery' ? 'openid' : 'jwks'}.${stage}`] as const),
);

const timeoutFor = (fault: Fault) => (fault === 'slow' ? { timeoutMs: 300 } : {});

function breakEndpoint(rig: Rig, endpoint: Endpoint, fault: Fault): void {
  if (endpoint === 'discovery') rig.server.discoveryFault = fault;
  else rig.server.keysFault = fault;
}

describe('key endpoint faults with nothing cached', () => {
  it.each(CASES)('%s endpoint %s: refuses with keys_unavailable (%s), retry-after set, never a caller fault', async (endpoint, fault, check) => {
    const rig = await startRig(timeoutFor(fault));
    breakEndpoint(rig, endpoint, fault);
    for (const version of ['2.0', '1.0'] as const) {
      const error = await rejection(rig.verifier.verify(await rig.token({ version })));
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toBeInstanceOf(KeysUnavailableError);
      const unavailable = error as KeysUnavailableError;
      expect(unavailable.code).toBe('keys_unavailable');
      expect(unavailable.check).toBe(check);
      expect(unavailable.retryAfterSeconds).toBeGreaterThan(0);
      expect(unavailable.retryAfterSeconds).toBe(RETRY_AFTER_FAILURE_MS / 1000);
      expect(unavailable.message).toContain(`v${version} signing keys unavailable`);
      expect(unavailable.facts).toMatchObject({ tenantId: TENANT, version, kid: publishedKey.kid });
    }
    // A broken discovery document means the key set is never even asked for.
    if (endpoint === 'discovery') expect(rig.count('/discovery/')).toBe(0);
    // The refused external redirect target is never fetched.
    expect(rig.fetches.every((url) => url.startsWith(rig.server.url))).toBe(true);
  });
});

describe('key endpoint faults with keys cached', () => {
  it.each(CASES)(
    '%s endpoint %s, keys stale past 24 h: accepted tokens keep verifying with the last good keys; fallback reports %s',
    async (endpoint, fault, check) => {
      const rig = await startRig({ cacheSize: 0, ...timeoutFor(fault) }); // every verification goes to the key store
      const accepted = await rig.token();
      expect(await outcome(rig.verifier, accepted)).toBe('ok');

      breakEndpoint(rig, endpoint, fault);
      rig.clock.now += DAY + 1;
      expect(await outcome(rig.verifier, accepted)).toBe('ok'); // starts the background refresh
      await eventually(() => rig.fallback.length > 0, 'the fallback report');
      expect(rig.fallback[0]).toMatchObject({ version: '2.0', check, reason: 'expired' });
      expect(rig.fallback.every((event) => event.check === check)).toBe(true);
      expect(rig.fallback[0]?.error).toBeInstanceOf(Error);

      expect(await outcome(rig.verifier, accepted)).toBe('ok');
      expect(await outcome(rig.verifier, await rig.token())).toBe('ok');
    },
  );

  it.each(FAULTS)('keys endpoint %s during an unknown-kid refresh: the kid is not found, known tokens keep verifying, fallback reports it', async (fault, stage) => {
    const rig = await startRig({ cacheSize: 0, ...timeoutFor(fault) });
    const accepted = await rig.token();
    expect(await outcome(rig.verifier, accepted)).toBe('ok');

    rig.server.keysFault = fault;
    rig.clock.now += UNKNOWN_KID_COOLDOWN_MS;
    const error = await rejection(rig.verifier.verify(await rig.token({ key: otherKey })));
    expect(error).toMatchObject({ code: 'key_not_found', check: 'header.kid' });
    expect(rig.fallback).toEqual([expect.objectContaining({ version: '2.0', check: `jwks.${stage}`, reason: 'forced' })]);
    expect(rig.count(V2_KEYS)).toBeGreaterThanOrEqual(2);

    expect(await outcome(rig.verifier, accepted)).toBe('ok');
    expect(await outcome(rig.verifier, await rig.token())).toBe('ok');
  });
});

describe('same-origin redirects', () => {
  it.each(['discovery', 'keys'] as const)('on the %s endpoint are followed', async (endpoint) => {
    const rig = await startRig();
    breakEndpoint(rig, endpoint, 'redirect-same');
    expect(await outcome(rig.verifier, await rig.token())).toBe('ok');
    const moved = endpoint === 'discovery' ? `${rig.server.url}${V2_DISCOVERY}?moved` : `${rig.server.url}${V2_KEYS}?moved`;
    expect(rig.fetches).toContain(moved);
    expect(rig.server.requests).toContain(moved.slice(rig.server.url.length));
  });
});

describe('the retry window after a cold failure', () => {
  it.each([
    ['discovery', 'openid.fetch'],
    ['keys', 'jwks.fetch'],
  ] as const)('with the %s endpoint down: fails fast without fetching, then uses the recovered endpoint', async (endpoint, check) => {
    const rig = await startRig();
    breakEndpoint(rig, endpoint, 'down');
    const token = await rig.token();
    expect(await rejection(rig.verifier.verify(token))).toMatchObject({ code: 'keys_unavailable', check });
    const fetchedAfterFailure = rig.fetches.length;

    breakEndpoint(rig, endpoint, 'none'); // recovered, but the window is not over
    const burst = await Promise.all(Array.from({ length: 20 }, () => rejection(rig.verifier.verify(token))));
    expect(burst.every((error) => error instanceof KeysUnavailableError && error.check === check)).toBe(true);
    rig.clock.now += 10_000;
    const later = await rejection(rig.verifier.verify(token));
    expect(later).toMatchObject({ code: 'keys_unavailable', retryAfterSeconds: 5 });
    expect(rig.fetches.length).toBe(fetchedAfterFailure);

    rig.clock.now += 5_000;
    expect(await outcome(rig.verifier, token)).toBe('ok');
    expect(rig.count(V2_DISCOVERY)).toBe(endpoint === 'discovery' ? 2 : 1);
    expect(rig.count(V2_KEYS)).toBe(endpoint === 'keys' ? 2 : 1);
  });
});

describe('key rotation', () => {
  it('picks up a key published beside the old one through an unknown-kid refresh; the old key keeps working', async () => {
    const rig = await startRig();
    const oldToken = await rig.token();
    expect(await outcome(rig.verifier, oldToken)).toBe('ok');
    expect(rig.refreshed).toEqual([expect.objectContaining({ version: '2.0', reason: 'initial', kids: [publishedKey.kid] })]);

    rig.server.setKeys([publishedKey.publicJwk, otherKey.publicJwk]);
    const newToken = await rig.token({ key: otherKey });
    // The initial load does not open the cooldown: a key rolled over right after startup is picked up.
    const verified = await rig.verifier.verify(newToken);
    expect(verified.kid).toBe(otherKey.kid);
    expect(rig.count(V2_KEYS)).toBe(2);
    expect(rig.refreshed[1]).toMatchObject({ version: '2.0', reason: 'forced', kids: [publishedKey.kid, otherKey.kid] });
    expect(rig.refreshed[1]?.url).toBe(`${rig.server.url}${V2_KEYS}`);
    expect(await outcome(rig.verifier, oldToken)).toBe('ok');
    expect(await outcome(rig.verifier, await rig.token())).toBe('ok');
  });

  it('refuses a token whose key was withdrawn once an unknown-kid refresh has seen it go, even though that token was cached', async () => {
    const rig = await startRig();
    rig.server.setKeys([publishedKey.publicJwk, otherKey.publicJwk]);
    const withdrawnToken = await rig.token();
    const keptToken = await rig.token({ key: otherKey });
    expect(await outcome(rig.verifier, withdrawnToken)).toBe('ok');
    expect(await outcome(rig.verifier, keptToken)).toBe('ok');

    rig.server.setKeys([otherKey.publicJwk]);
    expect(await outcome(rig.verifier, withdrawnToken)).toBe('ok'); // not refreshed yet

    rig.clock.now += UNKNOWN_KID_COOLDOWN_MS;
    expect(await outcome(rig.verifier, unknownKidToken(rig))).toBe('key_not_found');
    expect(rig.refreshed.at(-1)).toMatchObject({ reason: 'forced', kids: [otherKey.kid] });

    await expect(rig.verifier.verify(withdrawnToken)).rejects.toMatchObject({ code: 'key_not_found', check: 'header.kid' });
    expect(await outcome(rig.verifier, keptToken)).toBe('ok');
    // Refused for good: the withdrawn token is not back in the cache.
    expect(await outcome(rig.verifier, withdrawnToken)).toBe('key_not_found');
  });

  it('refuses a cached token whose key was withdrawn once the daily refresh has seen it go', async () => {
    const rig = await startRig();
    rig.server.setKeys([publishedKey.publicJwk, otherKey.publicJwk]);
    const withdrawnToken = await rig.token();
    expect(await outcome(rig.verifier, withdrawnToken)).toBe('ok');

    rig.server.setKeys([otherKey.publicJwk]);
    rig.clock.now += DAY;
    expect(await outcome(rig.verifier, await rig.token({ key: otherKey }))).toBe('ok'); // starts the background refresh
    await eventually(() => rig.refreshed.some((event) => event.reason === 'expired'), 'the daily key refresh');
    expect(rig.refreshed.at(-1)).toMatchObject({ reason: 'expired', kids: [otherKey.kid] });

    expect(await outcome(rig.verifier, withdrawnToken)).toBe('key_not_found');
  });
});

describe('load on a cold verifier', () => {
  it('1000 concurrent verifications of distinct v1 and v2 tokens share one discovery and one key-set fetch per version', async () => {
    const rig = await startRig();
    const tokens = await Promise.all(Array.from({ length: 250 }, (_, i) => rig.token({ version: i % 2 ? '1.0' : '2.0' })));
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => outcome(rig.verifier, tokens[i % tokens.length]!)));
    expect(results.filter((result) => result !== 'ok')).toEqual([]);
    expect(rig.count(V2_DISCOVERY)).toBe(1);
    expect(rig.count(V1_DISCOVERY)).toBe(1);
    expect(rig.count(V2_KEYS)).toBe(1);
    expect(rig.count(V1_KEYS)).toBe(1);
    expect(rig.fetches).toHaveLength(4);
  });

  it('1000 concurrent verifications of one token share one discovery and one key-set fetch', async () => {
    const rig = await startRig();
    const token = await rig.token();
    const results = await Promise.all(Array.from({ length: 1000 }, () => outcome(rig.verifier, token)));
    expect(results.filter((result) => result !== 'ok')).toEqual([]);
    expect(rig.fetches).toEqual([`${rig.server.url}${V2_DISCOVERY}`, `${rig.server.url}${V2_KEYS}`]);
  });

  it('a flood of 500 tokens with random unknown kids costs at most one key-set fetch per 30-second cooldown', async () => {
    const rig = await startRig();
    expect(await outcome(rig.verifier, await rig.token())).toBe('ok');
    expect(rig.count(V2_KEYS)).toBe(1);
    const flood = async () => {
      const results = await Promise.all(Array.from({ length: 500 }, () => outcome(rig.verifier, unknownKidToken(rig))));
      expect(new Set(results)).toEqual(new Set(['key_not_found']));
    };

    await flood(); // the first unknown kids refresh once, and open the cooldown
    expect(rig.count(V2_KEYS)).toBe(2);
    await flood();
    expect(rig.count(V2_KEYS)).toBe(2);

    rig.clock.now += UNKNOWN_KID_COOLDOWN_MS - 1;
    await flood();
    expect(rig.count(V2_KEYS)).toBe(2);

    rig.clock.now += 1;
    await flood();
    expect(rig.count(V2_KEYS)).toBe(3);

    expect(rig.count(V2_DISCOVERY)).toBe(1);
    expect(rig.refreshed.filter((event) => event.reason === 'forced')).toHaveLength(2);
    // The good key still serves throughout.
    expect(await outcome(rig.verifier, await rig.token())).toBe('ok');
  });
});
