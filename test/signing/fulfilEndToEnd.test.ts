import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startSampleBackend, type SampleBackend } from '../../dev/sample-backend/sampleBackend';
import { anyOf, type AuthPolicy } from 'azure-functions-entra-auth';
import { createBackendClient, type BackendClient } from '../../lib/forwarding/backendClient';
import { MemoryOrderStore } from '../orders/support/memoryOrderStore';
import { createFulfilOrderHandler } from '../../lib/orders/fulfilOrder';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import type { KeySpec } from '../../dev/keyvault-standin/vaultKeys';
import type { Signing } from '../../lib/signing/createSigning';
import { createAssertionIssuer } from '../../lib/signing/identityAssertion';
import { startAuthFixture, type AuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { CALLER_APP, OTHER_TENANT, TENANT, USER_OID, b64url, type TokenOptions } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import { DAEMON_OID, testPrincipal } from './support/principals';
import { serveHttpHandler, type ServedHandler } from './support/serveHttpHandler';
import { ISSUER, KEY_NAME, startVaultFixture, type VaultFixture } from './support/vaultFixture';

/**
 * The whole path: an Entra access token (minted against the fake metadata server) →
 * the fulfil handler behind withAuth → an identity assertion signed in the Key Vault
 * stand-in → the sample backend, which verifies it with jose's createRemoteJWKSet
 * against the app's key set served over HTTP on 127.0.0.1.
 */

const BACKEND_AUDIENCE = 'api://fulfilment';
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const canWrite: AuthPolicy = { POST: { appRoles: anyOf('Orders.ReadWrite'), scopes: anyOf('Orders.ReadWrite') } };
const canRead: AuthPolicy = { GET: { appRoles: anyOf('Orders.Read', 'Orders.ReadWrite'), scopes: anyOf('Orders.Read', 'Orders.ReadWrite') } };

interface World {
  readonly auth: AuthFixture;
  readonly vault: VaultFixture;
  readonly signing: Signing;
  readonly jwks: ServedHandler;
  readonly backend: SampleBackend;
  readonly client: BackendClient;
  readonly store: MemoryOrderStore;
  readonly orderId: string;
  stop(): Promise<void>;
}

async function startWorld(key: KeySpec): Promise<World> {
  const auth = await startAuthFixture();
  const vault = await startVaultFixture({ key });
  const signing = vault.signing();
  const jwks = await serveHttpHandler('.well-known/jwks.json', signing.jwks);
  const backend = await startSampleBackend({ jwksUrl: jwks.url, issuer: ISSUER, audience: BACKEND_AUDIENCE });
  const client = createBackendClient({ url: backend.fulfilUrl, audience: BACKEND_AUDIENCE, assertions: signing.assertions, fetch });
  const store = new MemoryOrderStore();
  const { order } = await store.create(TENANT, { item: 'widget', quantity: 2 }, { clientAppId: CALLER_APP, objectId: DAEMON_OID });
  return {
    auth,
    vault,
    signing,
    jwks,
    backend,
    client,
    store,
    orderId: order.id,
    async stop() {
      await Promise.all([backend.stop(), jwks.stop(), vault.stop(), auth.stop()]);
    },
  };
}

async function fulfil(world: World, token: TokenOptions | string, options: { client?: BackendClient | undefined; orderId?: string; trace?: Record<string, string> } = {}) {
  const callerToken = typeof token === 'string' ? token : await world.auth.token(token);
  const handler = world.auth.withAuth(createFulfilOrderHandler(world.store, 'client' in options ? options.client : world.client), canWrite);
  const id = options.orderId ?? world.orderId;
  const result = await invokeHttp(handler, {
    method: 'POST',
    path: `orders/${id}/fulfil`,
    params: { id },
    route: 'orders/{id}/fulfil',
    functionName: 'fulfilOrder',
    headers: { authorization: `Bearer ${callerToken}`, ...(options.trace ?? { traceparent: TRACEPARENT }) },
  });
  return { ...result, callerToken };
}

async function postToBackend(backend: SampleBackend, assertion: string): Promise<{ status: number; body: { code?: string } }> {
  const response = await fetch(backend.fulfilUrl, { method: 'POST', headers: { authorization: `Bearer ${assertion}`, 'content-type': 'application/json' }, body: '{}' });
  return { status: response.status, body: (await response.json()) as { code?: string } };
}

function lastAssertion(backend: SampleBackend): string {
  const header = backend.calls.at(-1)?.headers.authorization;
  if (typeof header !== 'string') throw new Error('the backend received no Authorization header');
  return header.slice('Bearer '.length);
}

describe.each<[string, KeySpec]>([
  ['ES256', { kty: 'EC', crv: 'P-256' }],
  ['RS256', { kty: 'RSA', keySize: 2048 }],
])('%s: a daemon fulfils an order', (alg, key) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(key);
  });
  afterAll(() => world.stop());

  it("reaches the backend as itself, vouched for by the app's Key Vault key, without its own token", async () => {
    const result = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] });

    expect(result.status).toBe(200);
    const [version] = world.vault.standin.versions(KEY_NAME).map((v) => v.version);
    expect(result.body).toEqual({
      orderId: world.orderId,
      fulfilment: {
        accepted: true,
        orderId: world.orderId,
        caller: expect.objectContaining({ oid: DAEMON_OID, tid: TENANT, azp: CALLER_APP, idtyp: 'app', roles: ['Orders.ReadWrite'], uti: decodeJwt(result.callerToken).uti, kid: version }),
      },
    });
    const received = world.backend.calls.at(-1)!;
    expect(received.outcome.ok).toBe(true);
    expect(decodeProtectedHeader(lastAssertion(world.backend))).toMatchObject({ alg, kid: version });
    // The caller's token went nowhere: not as Authorization, not in any other header, not in the body.
    expect(received.headers.authorization).not.toContain(result.callerToken);
    expect(JSON.stringify(received.headers)).not.toContain(result.callerToken);
    expect(JSON.stringify(received.body)).not.toContain(result.callerToken);
    expect(received.headers.traceparent).toBe(TRACEPARENT);
    expect(received.body).toEqual({ orderId: world.orderId, item: 'widget', quantity: 2 });
  });
});

describe('the fulfilment path in detail (ES256)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ kty: 'EC', crv: 'P-256' });
  });
  afterAll(() => world.stop());

  it.each([
    ['a valid traceparent and tracestate', { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' }, { traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' }],
    ['an upper-case traceparent and a valid tracestate', { traceparent: TRACEPARENT.toUpperCase(), tracestate: 'congo=t61rcWkgMzE' }, {}],
    ['a valid traceparent and a 600-character tracestate', { traceparent: TRACEPARENT, tracestate: `a=${'v'.repeat(598)}` }, { traceparent: TRACEPARENT }],
    ['an all-zero trace-id', { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` }, {}],
  ])('forwards trace context to the backend only when well-formed: %s', async (_name, trace, expected) => {
    const result = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] }, { trace });
    expect(result.status).toBe(200);
    const received = world.backend.calls.at(-1)!.headers;
    expect({ traceparent: received.traceparent, tracestate: received.tracestate }).toEqual({ traceparent: undefined, tracestate: undefined, ...expected });
  });

  it('carries a signed-in user with their delegated scopes', async () => {
    const result = await fulfil(world, { kind: 'delegated', scp: 'User.Read Orders.ReadWrite' });
    expect(result.status).toBe(200);
    expect((result.body as { fulfilment: { caller: object } }).fulfilment.caller).toMatchObject({ oid: USER_OID, idtyp: 'user', scp: 'User.Read Orders.ReadWrite', roles: [] });
  });

  it('the backend rejects a tampered assertion', async () => {
    await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] });
    const [header, payload, signature] = lastAssertion(world.backend).split('.') as [string, string, string];
    const forged = { ...decodeJwt(`${header}.${payload}.${signature}`), tid: OTHER_TENANT };
    const answer = await postToBackend(world.backend, `${header}.${b64url(forged)}.${signature}`);
    expect(answer).toEqual({ status: 401, body: { error: 'invalid_token', code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' } });
  });

  it('the backend rejects an expired assertion', async () => {
    const tenMinutesAgo = createAssertionIssuer({ issuer: ISSUER, lifetimeSeconds: 120, keys: world.signing.keys, now: () => Date.now() - 10 * 60_000, events: {} });
    const answer = await postToBackend(world.backend, await tenMinutesAgo.issue(testPrincipal(), BACKEND_AUDIENCE));
    expect(answer).toEqual({ status: 401, body: { error: 'invalid_token', code: 'ERR_JWT_EXPIRED' } });
  });

  it('the backend rejects an assertion meant for another backend, and the caller gets 502', async () => {
    const elsewhere = createBackendClient({ url: world.backend.fulfilUrl, audience: 'api://billing', assertions: world.signing.assertions, fetch });
    const result = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] }, { client: elsewhere });
    expect(result.status).toBe(502);
    expect(result.body).toMatchObject({ code: 'backend_error', backendStatus: 401 });
    expect(world.backend.calls.at(-1)?.outcome).toMatchObject({ ok: false, code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  it("the backend rejects the caller's own Entra token", async () => {
    const entraToken = await world.auth.token({ kind: 'app', roles: ['Orders.ReadWrite'] });
    // Signed by Entra, not by the app: no key of the app's key set matches it.
    expect(await postToBackend(world.backend, entraToken)).toEqual({ status: 401, body: { error: 'invalid_token', code: 'ERR_JWKS_NO_MATCHING_KEY' } });
  });

  it('a caller without Orders.ReadWrite is refused before anything is signed or sent', async () => {
    const calls = world.backend.calls.length;
    const signs = world.vault.standin.signed.length;
    const result = await fulfil(world, { kind: 'app', roles: ['Orders.Read'] });
    expect(result.status).toBe(403);
    expect(world.backend.calls).toHaveLength(calls);
    expect(world.vault.standin.signed).toHaveLength(signs);
  });

  it("an order the caller's tenant does not have answers 404, and nothing is signed or sent", async () => {
    const calls = world.backend.calls.length;
    const signs = world.vault.standin.signed.length;
    const missing = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] }, { orderId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(world.backend.calls).toHaveLength(calls);
    expect(world.vault.standin.signed).toHaveLength(signs);
  });

  it('without FULFILMENT_URL the operation answers 503 backend_not_configured', async () => {
    const result = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] }, { client: undefined });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'backend_not_configured' });
  });

  it("a throttled vault: 503 with the vault's Retry-After", async () => {
    world.vault.standin.setFault({ kind: 'status', status: 429, retryAfter: '17', operations: ['sign'] });
    try {
      const result = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] });
      expect(result.status).toBe(503);
      expect(result.headers.get('retry-after')).toBe('17');
      expect(result.body).toMatchObject({ code: 'signing_unavailable' });
    } finally {
      world.vault.standin.setFault(undefined);
    }
  });

  it('the vault down: fulfil answers 503 with Retry-After; token validation, other operations and the key set keep working', async () => {
    const keysBefore = await (await fetch(world.jwks.url)).json();
    await world.vault.standin.stop();

    const result = await fulfil(world, { kind: 'app', roles: ['Orders.ReadWrite'] });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'signing_unavailable' });
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const list = world.auth.withAuth(createOrdersApi(world.store).list, canRead);
    const token = await world.auth.token({ kind: 'app', roles: ['Orders.Read'] });
    const listed = await invokeHttp(list, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect((listed.body as { value: unknown[] }).value).toHaveLength(1);

    world.vault.clock.now += 6 * 60_000;
    const stale = await fetch(world.jwks.url);
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual(keysBefore);
  });
});
