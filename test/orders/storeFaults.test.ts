import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpHandler } from '@azure/functions';
import { azuriteConnectionString } from '../../dev/azurite/azuriteTable';
import { ensureLocalTls, type LocalTls } from '../../packages/azure-functions-entra-dev/src/tls/localTls';
import { appRoutes } from '../../lib/app/routeTable';
import { loadDeclaredPermissions } from '../../lib/app/permissions';

const ROUTES = appRoutes(loadDeclaredPermissions());
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { createOrderStore, type OrdersBackend } from '../../lib/orders/createOrderStore';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import { FixedTokenCredential } from '../signing/support/fixedTokenCredential';
import { startAuthFixture, type AuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { invokeHttp, type InvokeResult } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import { startOrdersScene, type OrdersScene } from './support/ordersScene';

/** The store's deadline (lib/orders/storeLimits.ts) plus room for a loaded 2-core machine; a hang would blow far past it. */
const ANSWER_BOUND_MS = 8_000;

async function timed(call: () => Promise<InvokeResult>): Promise<InvokeResult & { ms: number }> {
  const started = performance.now();
  const result = await call();
  return { ...result, ms: performance.now() - started };
}

function expectStoreUnavailable(result: InvokeResult & { ms: number }, retryAfter?: string): void {
  expect(result.status).toBe(503);
  expect(result.body).toMatchObject({ code: 'store_unavailable', status: 503, title: 'Service Unavailable' });
  expect(result.headers.get('content-type')).toBe('application/problem+json');
  const header = result.headers.get('retry-after');
  if (retryAfter === undefined) expect(Number(header)).toBeGreaterThanOrEqual(1);
  else expect(header).toBe(retryAfter);
  expect(result.ms).toBeLessThan(ANSWER_BOUND_MS);
}

describe('Azurite stopped mid-run, then started again', () => {
  let s: OrdersScene;
  beforeAll(async () => {
    s = await startOrdersScene();
  }, 60_000);
  afterAll(() => s.stop());

  it('answers 503 with Retry-After within the bound, keeps refusing bad tokens as before, and serves again with no app restart', async () => {
    const created = await s.call(s.orders, { method: 'POST', body: { item: 'kept', quantity: 1 } });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(s.backend.health.state()).toBe('answering');

    await s.azurite.stop();
    expectStoreUnavailable(await timed(() => s.call(s.orders, {})));
    expectStoreUnavailable(await timed(() => s.call(s.orders, { method: 'POST', body: { item: 'not acknowledged', quantity: 1 } })));
    expectStoreUnavailable(await timed(() => s.call(s.order, { id })));
    expectStoreUnavailable(await timed(() => s.call(s.order, { method: 'PUT', id, headers: { 'if-match': created.headers.get('etag') ?? '' }, body: { item: 'x', quantity: 2 } })));
    expectStoreUnavailable(await timed(() => s.call(s.order, { method: 'DELETE', id })));
    expect(s.backend.health.state()).toBe('not_answering');

    // Token validation and refusals never wait for the store.
    const noToken = await invokeHttp(s.orders, {});
    expect(noToken.status).toBe(401);
    const reader = await s.auth.token({ roles: ['Orders.Read'] });
    const refused = await invokeHttp(s.orders, { method: 'POST', headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' }, body: '{"item":"x","quantity":1}' });
    expect(refused.status).toBe(403);
    // Neither does a request the API refuses before any store call.
    expect((await s.call(s.order, { method: 'PUT', id, body: { item: 'x', quantity: 1 } })).status).toBe(428);

    await s.restartAzurite();
    const read = await s.call(s.order, { id });
    expect(read).toMatchObject({ status: 200, body: { id, item: 'kept' } });
    expect(s.backend.health.state()).toBe('answering');
    // The 503'd POST was not acknowledged and is not there; the acknowledged order survived the restart.
    const listed = (await s.call(s.orders, {})).body as { value: { item: string }[] };
    expect(listed.value.map((o) => o.item)).toEqual(['kept']);
  }, 60_000);
});

describe('a missing table where the app must not create it (in Azure the Bicep does)', () => {
  let s: OrdersScene;
  beforeAll(async () => {
    s = await startOrdersScene();
  }, 60_000);
  afterAll(() => s.stop());

  it('answers 503 store_unavailable and logs table_missing, never creating the table', async () => {
    const settings = { ...loadOrdersSettings({ ORDERS_STORAGE: s.azurite.connectionString, ORDERS_TABLE_NAME: 'neverCreated' }), createTableIfMissing: false };
    const backend = createOrderStore(settings);
    const handler = s.auth.routeHandler(ROUTES.orders, { GET: createOrdersApi(backend.store).list, POST: createOrdersApi(backend.store).create });
    const token = await s.auth.token({ roles: ['Orders.ReadWrite'] });
    const result = await timed(() => invokeHttp(handler, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"item":"x","quantity":1}' }));
    expectStoreUnavailable(result);
    expect(result.logs.join('\n')).toContain('table_missing');
    // Still missing: the same request fails the same way rather than creating it.
    expectStoreUnavailable(await timed(() => invokeHttp(handler, { headers: { authorization: `Bearer ${token}` } })));
    // A read by ID is a store fault too, not a 404 for the order.
    const api = createOrdersApi(backend.store);
    const order = s.auth.routeHandler(ROUTES.order, { GET: api.get, PUT: api.replace, DELETE: api.remove });
    const id = randomUUID();
    expectStoreUnavailable(await timed(() => invokeHttp(order, { route: 'orders/{id}', path: `orders/${id}`, params: { id }, headers: { authorization: `Bearer ${token}` } })));
    expectStoreUnavailable(await timed(() => invokeHttp(order, { method: 'DELETE', route: 'orders/{id}', path: `orders/${id}`, params: { id }, headers: { authorization: `Bearer ${token}` } })));
  }, 30_000);
});

/** A table service stand-in that misbehaves on purpose. */
type Fault = { kind: 'hang' } | { kind: 'status'; status: number; retryAfter?: string; retryAfterMs?: string } | { kind: 'reset' };

interface FaultyServer {
  readonly url: string;
  fault: Fault;
  requests: number;
  stop(): Promise<void>;
}

async function startFaultyServer(server: Server, scheme: 'http' | 'https'): Promise<FaultyServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const state: FaultyServer = {
    url: '',
    fault: { kind: 'hang' },
    requests: 0,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    state.requests++;
    request.resume();
    const fault = state.fault;
    if (fault.kind === 'hang') return;
    if (fault.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    response.writeHead(fault.status, {
      'content-type': 'application/json',
      ...(fault.retryAfter !== undefined && { 'retry-after': fault.retryAfter }),
      ...(fault.retryAfterMs !== undefined && { 'retry-after-ms': fault.retryAfterMs }),
    });
    response.end(JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { value: 'busy' } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

describe('a table service that hangs, fails or throttles', () => {
  let tls: LocalTls;
  let stateDir: string;
  let auth: AuthFixture;
  let https: FaultyServer;
  let http: FaultyServer;
  let viaIdentity: { backend: OrdersBackend; orders: HttpHandler; credential: FixedTokenCredential };
  let viaConnectionString: { backend: OrdersBackend; orders: HttpHandler };

  const handlerFor = (backend: OrdersBackend) => auth.routeHandler(ROUTES.orders, { GET: createOrdersApi(backend.store).list, POST: createOrdersApi(backend.store).create });
  const list = async (handler: HttpHandler) => timed(async () => invokeHttp(handler, { headers: { authorization: `Bearer ${await auth.token({ roles: ['Orders.ReadWrite'] })}` } }));

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'orders-faults-'));
    tls = await ensureLocalTls({ stateDir });
    auth = await startAuthFixture();
    https = await startFaultyServer(createHttpsServer({ cert: tls.certPem, key: tls.keyPem }), 'https');
    http = await startFaultyServer(createHttpServer(), 'http');
    const credential = new FixedTokenCredential();
    // The identity form, as deployed: a bearer token from the (here fixed) credential over https to the table service.
    const identity = createOrderStore(loadOrdersSettings({ ORDERS_STORAGE__tableServiceUri: https.url, WEBSITE_INSTANCE_ID: 'test-instance' }), {
      credential,
      clientOptions: { tlsOptions: { ca: tls.caCertPem } },
    });
    viaIdentity = { backend: identity, orders: handlerFor(identity), credential };
    const port = Number(new URL(http.url).port);
    const connection = createOrderStore(loadOrdersSettings({ ORDERS_STORAGE: azuriteConnectionString(port) }));
    viaConnectionString = { backend: connection, orders: handlerFor(connection) };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([https.stop(), http.stop(), auth.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('a store that accepts the connection and never answers: 503 within the bound, not a hang', async () => {
    https.fault = { kind: 'hang' };
    http.fault = { kind: 'hang' };
    expectStoreUnavailable(await list(viaIdentity.orders));
    expectStoreUnavailable(await list(viaConnectionString.orders));
    expect(viaIdentity.backend.health.state()).toBe('not_answering');
  }, 30_000);

  it('sends the managed identity\'s bearer token for the storage audience, over https only', () => {
    expect(viaIdentity.credential.requests.at(-1)?.scopes).toEqual(['https://storage.azure.com/.default']);
  });

  it.each<[string, Fault]>([
    ['500', { kind: 'status', status: 500 }],
    ['503 without Retry-After', { kind: 'status', status: 503 }],
    ['connection reset', { kind: 'reset' }],
  ])('a store answering %s: retried a few times, then 503 with Retry-After', async (_name, fault) => {
    https.fault = fault;
    const before = https.requests;
    expectStoreUnavailable(await list(viaIdentity.orders));
    // The first attempt and the bounded retries (maxRetries 2), not the SDK's default of many.
    expect(https.requests - before).toBeLessThanOrEqual(3);
  }, 30_000);

  it.each([
    ['429 asking for 60 s', 429],
    ['503 asking for 60 s', 503],
  ])('a store answering %s: 503 at once, passing its Retry-After on instead of sleeping', async (_name, status) => {
    https.fault = { kind: 'status', status, retryAfter: '60' };
    const result = await list(viaIdentity.orders);
    expectStoreUnavailable(result, '60');
    expect(result.ms).toBeLessThan(3_000);
  }, 30_000);

  it('a store answering 503 with a short retry-after-ms: retried, then 503 passing that wait on in whole seconds, not the default', async () => {
    https.fault = { kind: 'status', status: 503, retryAfterMs: '300' };
    const before = https.requests;
    expectStoreUnavailable(await list(viaIdentity.orders), '1');
    // Short enough to wait out: the SDK retried after it, within the bounded retries.
    expect(https.requests - before).toBeGreaterThan(1);
  }, 30_000);
});
