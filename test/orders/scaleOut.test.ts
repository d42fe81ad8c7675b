import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../../dev/azurite/azuriteTable';
import type { StandinRecord } from '../../packages/azure-functions-entra-dev/src/standin/standinState';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';
import { createCaTrustingFetch } from '../../packages/azure-functions-entra-dev/src/tls/caTrustingFetch';
import { NodeProcesses } from '../support/nodeProcesses';
import { standinRegistry } from '../support/standinRegistry';

/**
 * Scale-out as Flex Consumption does it: two instances of the app (dev host
 * processes from the build) behind one store (one Azurite process), tokens from the
 * Entra stand-in. What one instance acknowledged, the other sees; ETags make
 * concurrent writers through different instances safe. Needs the builds.
 */
const root = path.join(__dirname, '../..');
const registry = standinRegistry();
const API = registry.apiByName('orders-api');
const WRITER = registry.clientByName('writer');

const processes = new NodeProcesses();
/** The first instance's process, stopped and replaced by the restart test. */
let firstInstance: ChildProcess | undefined;
let stateDir: string;
let azurite: AzuriteTable;
let standin: StandinRecord;
let writer: string;

async function startInstance(): Promise<{ url: string; process: ChildProcess }> {
  if (!API) throw new Error('no orders-api in the registry');
  const child = processes.start('packages/azure-functions-entra-dev/dist/host/worker.js', [root], {
    PORT: '0',
    AUTH_TENANT_ID: standin.tenantId,
    AUTH_CLIENT_ID: API.clientId,
    AUTH_APP_ID_URI: API.appIdUri,
    AUTH_INSTANCE: standin.url,
    NODE_EXTRA_CA_CERTS: standin.caPath,
    ORDERS_STORAGE: azurite.connectionString,
  });
  return { url: (await waitForJsonLine<{ devHost: string }>(child, 'devHost')).devHost, process: child };
}

async function call(host: string, method: string, route: string, options: { body?: unknown; ifMatch?: string } = {}) {
  const response = await fetch(`${host}/api/${route}`, {
    method,
    headers: {
      authorization: `Bearer ${writer}`,
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.ifMatch !== undefined && { 'if-match': options.ifMatch }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag') ?? '', body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined };
}

let a: string;
let b: string;

beforeAll(async () => {
  for (const built of ['packages/azure-functions-entra-dev/dist/standin/main.js', 'packages/azure-functions-entra-dev/dist/host/worker.js', 'dist/functions/orders.js']) {
    if (!existsSync(path.join(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  if (!API || !WRITER) throw new Error('registry lacks orders-api or writer');
  stateDir = mkdtempSync(path.join(tmpdir(), 'orders-scale-out-'));
  const standinProcess = processes.start('packages/azure-functions-entra-dev/dist/standin/main.js', ['--port', '0', '--state-dir', stateDir, '--quiet'], {});
  [azurite, standin] = await Promise.all([
    startAzuriteTable({ location: path.join(stateDir, 'azurite') }),
    waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority'),
  ]);
  const instances = await Promise.all([startInstance(), startInstance()]);
  [a, b] = instances.map((instance) => instance.url) as [string, string];
  firstInstance = instances[0].process;
  const caFetch = createCaTrustingFetch(readFileSync(standin.caPath, 'utf8'));
  const answer = await caFetch(`${standin.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: WRITER.clientId, client_secret: WRITER.secret, scope: `${API.appIdUri}/.default` }),
  });
  writer = ((await answer.json()) as { access_token: string }).access_token;
}, 90_000);

afterAll(async () => {
  processes.stopAll();
  await azurite.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

it('an order created through one instance is read, listed, replaced and deleted through the other', async () => {
  const created = await call(a, 'POST', 'orders', { body: { item: 'shared', quantity: 1 } });
  expect(created.status).toBe(201);
  const id = String(created.body?.id);

  const read = await call(b, 'GET', `orders/${id}`);
  expect(read).toMatchObject({ status: 200, etag: created.etag, body: { id, item: 'shared' } });
  const listed = await call(b, 'GET', 'orders?top=100');
  expect((listed.body?.value as { id: string }[]).map((o) => o.id)).toContain(id);

  const replaced = await call(b, 'PUT', `orders/${id}`, { ifMatch: read.etag, body: { item: 'shared', quantity: 2 } });
  expect(replaced.status).toBe(200);
  expect((await call(a, 'GET', `orders/${id}`)).body).toMatchObject({ quantity: 2 });

  expect((await call(b, 'DELETE', `orders/${id}`, { ifMatch: replaced.etag })).status).toBe(204);
  expect((await call(a, 'GET', `orders/${id}`)).status).toBe(404);
});

it('follows a nextLink issued by one instance on the other', async () => {
  for (let i = 0; i < 3; i++) expect((await call(a, 'POST', 'orders', { body: { item: `page${i}`, quantity: 1 } })).status).toBe(201);
  const first = await call(a, 'GET', 'orders?top=2');
  const nextLink = String(first.body?.nextLink);
  expect(nextLink).toMatch(/^\/api\/orders\?/);
  const second = await call(b, 'GET', nextLink.replace(/^\/api\//, ''));
  expect(second.status).toBe(200);
  const seen = [...(first.body?.value as { id: string }[]), ...(second.body?.value as { id: string }[])].map((o) => o.id);
  expect(new Set(seen).size).toBe(seen.length);
});

it('a concurrent PUT race through both instances with the same ETag gives exactly one 200 and one 412', async () => {
  const created = await call(a, 'POST', 'orders', { body: { item: 'raced', quantity: 1 } });
  const id = String(created.body?.id);
  const results = await Promise.all([
    call(a, 'PUT', `orders/${id}`, { ifMatch: created.etag, body: { item: 'raced', quantity: 10 } }),
    call(b, 'PUT', `orders/${id}`, { ifMatch: created.etag, body: { item: 'raced', quantity: 20 } }),
  ]);
  expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  const winner = results.find((r) => r.status === 200);
  expect((results.find((r) => r.status === 412)?.body)).toMatchObject({ code: 'precondition_failed' });
  // The store holds the winner's write, at the winner's ETag.
  const stored = await call(b, 'GET', `orders/${id}`);
  expect(stored).toMatchObject({ etag: winner?.etag, body: { quantity: winner?.body?.quantity } });
});

it('keeps acknowledged orders across an app restart', async () => {
  const created = await call(a, 'POST', 'orders', { body: { item: 'durable', quantity: 1 } });
  expect(created.status).toBe(201);
  firstInstance?.kill('SIGTERM');
  const restarted = await startInstance();
  expect(await call(restarted.url, 'GET', `orders/${String(created.body?.id)}`)).toMatchObject({ status: 200, body: { item: 'durable' } });
});
