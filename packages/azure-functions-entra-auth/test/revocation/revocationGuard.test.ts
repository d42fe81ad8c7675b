import type { HttpHandler } from '@azure/functions';
import { RecordingObserver, REALM } from '../support/authFixture';
import { CALLER_APP, OTHER_TENANT, TENANT, USER_OID, mintAccessToken, type TokenOptions } from '../support/entraTokens';
import { invokeHttp } from '../support/invokeHttp';
import { startHarness, type Harness } from '../support/verifierHarness';
import { ANY_VALID_TOKEN, anyOf } from '../../src/authz/authPolicy';
import { createEntraAuth } from '../../src/createEntraAuth';
import { defineRoute } from '../../src/functions/protectedRoute';
import { createGuard, methodsOf } from '../../src/functions/withAuth';
import { revocationCheck } from '../../src/revocation/revocationCheck';
import { createRevocationList, type RevocationList, type RevocationListOptions } from '../../src/revocation/revocationList';
import { MemoryRevocationSource } from './memoryRevocationSource';

/**
 * The deny list behind the guard: real RS256 tokens from a fake Entra on 127.0.0.1, a real
 * verifier (with its verified-token cache), an in-memory rule store and one clock moved by
 * the test for the verifier and the list alike.
 */
const HOUR = 3_600_000;
const SECOND = 1000;
const DAEMON_OID = 'a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d';

let harness: Harness;
let source: MemoryRevocationSource;
let observer: RecordingObserver;
let list: RevocationList;
let handler: HttpHandler;
let handled: number;

function build(options: Partial<RevocationListOptions> = {}): void {
  source = new MemoryRevocationSource();
  observer = new RecordingObserver();
  list = createRevocationList({ source, refreshIntervalSeconds: 5, maxStalenessSeconds: 60, issuedAtBackdateSeconds: 0, now: () => harness.clock.now, ...options });
  const guard = createGuard({ verifier: harness.verifier, observer, realm: REALM, revocation: revocationCheck(list) });
  handled = 0;
  handler = guard(
    methodsOf({ GET: ANY_VALID_TOKEN }, () => () => {
      handled += 1;
      return { status: 200 };
    }),
  );
}

const token = (options: TokenOptions = {}) => mintAccessToken(harness.key, { instance: harness.server.url, now: Math.floor(harness.clock.now / 1000), ...options });
const call = (bearer: string) => invokeHttp(handler, { headers: { authorization: `Bearer ${bearer}` } });
const advance = (ms: number) => {
  harness.clock.now += ms;
};

beforeAll(async () => {
  harness = await startHarness({ env: { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` } });
});
afterAll(() => harness.stop());
beforeEach(() => { build(); });

describe('a revoked token', () => {
  it('is refused with 401 invalid_token that says it was revoked and not which rule matched, and no handler runs', async () => {
    source.set({ id: 'r1', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, expiresAt: harness.clock.now + HOUR });
    const answer = await call(await token());
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token", error_description="The access token has been revoked; request a new one."`);
    expect(answer.body).toMatchObject({ code: 'token_revoked', detail: 'The access token has been revoked; request a new one.' });
    expect(JSON.stringify(answer.body)).not.toMatch(/r1|clientApp|CALLER|0f5a2f0e/i);
    expect(handled).toBe(0);
    expect(observer.failures).toEqual([expect.objectContaining({ code: 'token_revoked', check: 'revocation', status: 401, tenantId: TENANT, clientAppId: CALLER_APP })]);
  });

  it('is refused even when the verifier serves it from its verified-token cache', async () => {
    const bearer = await token();
    expect((await call(bearer)).status).toBe(200);
    expect((await call(bearer)).status).toBe(200); // now cached by the verifier
    source.set({ id: 'r1', kind: 'token', uti: JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString()).uti, expiresAt: harness.clock.now + HOUR });
    advance(5 * SECOND);
    expect((await call(bearer)).status).toBe(401);
    expect(handled).toBe(2);
  });

  it.each([
    ['a client app', () => ({ kind: 'clientApp' as const, tenantId: TENANT, clientAppId: CALLER_APP })],
    ['a user or service principal', () => ({ kind: 'subject' as const, tenantId: TENANT, objectId: DAEMON_OID })],
    ['a whole tenant, issued before now', () => ({ kind: 'tenant' as const, tenantId: TENANT, issuedBefore: harness.clock.now })],
  ])('is refused by a rule for %s, and a token of the other tenant is not', async (_name, rule) => {
    source.set({ id: 'r', expiresAt: harness.clock.now + HOUR, ...rule() });
    expect((await call(await token())).status).toBe(401);
    expect((await call(await token({ tenant: OTHER_TENANT }))).status).toBe(200);
  });

  it('is matched on GUIDs whatever their letter case in the store', async () => {
    source.set({ id: 'r', kind: 'subject', tenantId: TENANT.toUpperCase(), objectId: USER_OID.toUpperCase(), expiresAt: harness.clock.now + HOUR });
    expect((await call(await token({ kind: 'delegated' }))).status).toBe(401);
    expect((await call(await token({ kind: 'app' }))).status).toBe(200);
  });
});

describe('issued-before and expiry', () => {
  it('refuses tokens issued before the cut-off and lets tokens issued after it through', async () => {
    const old = await token();
    advance(60 * SECOND);
    source.set({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, issuedBefore: harness.clock.now - 30 * SECOND, expiresAt: harness.clock.now + HOUR });
    const fresh = await token(); // iat = now - 5 s, after the cut-off
    expect((await call(old)).status).toBe(401);
    expect((await call(fresh)).status).toBe(200);
  });

  it("allows for Entra's five-minute back-dating of iat by default: a token fetched after the cut-off passes, one fetched before does not", async () => {
    build({ issuedAtBackdateSeconds: 300 }); // the default, as createEntraAuth users get it
    const entraToken = (issuedAt: number) => token({ now: Math.floor(issuedAt / 1000) - 300 + 5 }); // iat = issuance - 300 s, as Entra sets it
    const before = await entraToken(harness.clock.now - 2 * SECOND);
    source.set({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, issuedBefore: harness.clock.now, expiresAt: harness.clock.now + HOUR });
    const after = await entraToken(harness.clock.now + 2 * SECOND);
    expect((await call(before)).status).toBe(401);
    expect((await call(after)).status).toBe(200);
  });

  it('covers a token without iat or nbf by an issued-before rule (it cannot show it came after)', async () => {
    source.set({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, issuedBefore: harness.clock.now - HOUR, expiresAt: harness.clock.now + HOUR });
    expect((await call(await token({ claims: { iat: undefined, nbf: undefined } }))).status).toBe(401);
  });

  it('stops applying a rule once it has expired, without a new read', async () => {
    source.set({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, expiresAt: harness.clock.now + 3 * SECOND });
    expect((await call(await token())).status).toBe(401);
    const reads = source.reads;
    advance(3 * SECOND);
    expect((await call(await token())).status).toBe(200);
    expect(source.reads).toBe(reads);
  });
});

describe('refreshing the rules', () => {
  it('reads the store once per interval, one read for many concurrent requests', async () => {
    const bearer = await token();
    await Promise.all(Array.from({ length: 20 }, () => call(bearer)));
    expect(source.reads).toBe(1);
    advance(4 * SECOND);
    await call(bearer);
    expect(source.reads).toBe(1);
    advance(1 * SECOND);
    await Promise.all(Array.from({ length: 20 }, () => call(bearer)));
    expect(source.reads).toBe(2);
  });

  it('applies a rule written to the store at the first request after the interval', async () => {
    const bearer = await token();
    expect((await call(bearer)).status).toBe(200);
    source.add({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, expiresAt: harness.clock.now + HOUR });
    expect((await call(bearer)).status).toBe(200); // within the interval: the rules in memory
    advance(5 * SECOND);
    expect((await call(bearer)).status).toBe(401);
    source.set();
    advance(5 * SECOND);
    expect((await call(bearer)).status).toBe(200); // the rule was deleted
  });

  it('refuses a malformed rule set as a whole and keeps the rules it had', async () => {
    const failed: unknown[] = [];
    build({
      events: {
        onRefreshFailed: (event) => {
          failed.push(event.error);
        },
      },
    });
    source.set({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, expiresAt: harness.clock.now + HOUR });
    expect((await call(await token())).status).toBe(401);
    source.setRaw([{ id: 'x', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, expiresAt: 'never' }]);
    advance(5 * SECOND);
    expect((await call(await token())).status).toBe(401);
    expect(failed).toEqual([expect.objectContaining({ message: 'revocation rule 0: expiresAt must be a finite time' })]);
    expect(list.status()).toMatchObject({ state: 'stale', rules: 1 });
  });
});

describe('when the store cannot be read', () => {
  it('keeps the last rules for the staleness bound, then answers 503 with Retry-After, then heals', async () => {
    source.set({ id: 'r', kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, expiresAt: harness.clock.now + 2 * HOUR });
    const revoked = await token();
    const other = await token({ tenant: OTHER_TENANT });
    expect((await call(revoked)).status).toBe(401);
    source.mode = 'down';
    advance(30 * SECOND);
    expect((await call(revoked)).status).toBe(401);
    expect((await call(other)).status).toBe(200);
    expect(list.status()).toMatchObject({ state: 'stale', ageSeconds: 30 });
    advance(31 * SECOND);
    const unavailable = await call(other);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    expect(unavailable.body).toMatchObject({ code: 'revocation_unavailable' });
    expect(list.status()).toMatchObject({ state: 'unavailable' });
    source.mode = 'up';
    advance(5 * SECOND);
    expect((await call(other)).status).toBe(200);
    expect((await call(revoked)).status).toBe(401);
    expect(list.status()).toMatchObject({ state: 'current', ageSeconds: 0 });
  });

  it('retries a failed read once per interval, not on every request', async () => {
    await call(await token());
    source.mode = 'down';
    advance(5 * SECOND);
    const bearer = await token();
    await Promise.all(Array.from({ length: 10 }, () => call(bearer)));
    await call(bearer);
    expect(source.reads).toBe(2);
  });

  it('answers 503 from the first request when the rules were never read', async () => {
    source.mode = 'down';
    const answer = await call(await token());
    expect(answer.status).toBe(503);
    expect(handled).toBe(0);
  });

  it('gives up on a hung read after its deadline', async () => {
    build({ readTimeoutSeconds: 0.05 });
    source.mode = 'hung';
    expect((await call(await token())).status).toBe(503);
  });

  it('lets verified tokens through past the bound only when the operator chose to fail open', async () => {
    build({ failOpen: true });
    source.mode = 'down';
    expect((await call(await token())).status).toBe(200);
    expect(list.status()).toMatchObject({ state: 'unavailable', failOpen: true });
  });
});

describe('the options', () => {
  it.each([
    [{ refreshIntervalSeconds: 0 }, 'refreshIntervalSeconds must be a positive number of seconds'],
    [{ maxStalenessSeconds: Number.NaN }, 'maxStalenessSeconds must be a positive number of seconds'],
    [{ refreshIntervalSeconds: 10, maxStalenessSeconds: 5 }, 'maxStalenessSeconds must be at least refreshIntervalSeconds'],
  ])('refuses %j', (options, message) => {
    expect(() => createRevocationList({ source: new MemoryRevocationSource(), ...options })).toThrow(new TypeError(message));
  });

  it('default to allowing for five minutes of iat back-dating', async () => {
    const defaults = createRevocationList({ source, now: () => harness.clock.now });
    source.set({ id: 'r', kind: 'tenant', tenantId: TENANT, issuedBefore: harness.clock.now, expiresAt: harness.clock.now + HOUR });
    const subject = { tenantId: TENANT, clientAppId: CALLER_APP, objectId: undefined, uti: undefined };
    expect(await defaults.check({ ...subject, issuedAt: harness.clock.now - 301 * SECOND })).toEqual({ kind: 'revoked' });
    expect(await defaults.check({ ...subject, issuedAt: harness.clock.now - 299 * SECOND })).toEqual({ kind: 'allowed' });
  });

  it('reports not_loaded before the first read', () => {
    expect(list.status()).toEqual({ state: 'not_loaded', failOpen: false });
  });
});

describe('createEntraAuth with the revocation option', () => {
  it('checks the list on every route it builds, after verification and before the policy', async () => {
    const entraAuth = createEntraAuth({
      env: { AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: harness.settings.clientId, AUTH_APP_ID_URI: REALM, AUTH_INSTANCE: harness.server.url },
      fetch: harness.server.fetchFor(harness.server.publicOrigin),
      now: () => harness.clock.now,
      observer,
      revocation: list,
    });
    const route = defineRoute('orders', 'orders', { GET: { appRoles: anyOf('Orders.Read') } });
    const orders = entraAuth.routeHandler(route, { GET: () => ({ status: 200 }) });
    const revoked = await token();
    const noRole = await token({ roles: [] });
    source.set({ id: 'r', kind: 'token', uti: JSON.parse(Buffer.from(revoked.split('.')[1] ?? '', 'base64url').toString()).uti as string, expiresAt: harness.clock.now + HOUR });
    expect((await invokeHttp(orders, { headers: { authorization: `Bearer ${revoked}` } })).status).toBe(401);
    expect((await invokeHttp(orders, { headers: { authorization: `Bearer ${await token()}` } })).status).toBe(200);
    expect((await invokeHttp(orders, { headers: { authorization: `Bearer ${noRole}` } })).status).toBe(403); // the policy still runs after the list
  });
});
