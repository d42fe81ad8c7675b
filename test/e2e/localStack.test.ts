import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../../dev/azurite/azuriteTable';
import { createCaTrustingFetch, type CaTrustingFetch } from '../../packages/azure-functions-entra-dev/src/tls/caTrustingFetch';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';
import type { StandinRecord } from '../../packages/azure-functions-entra-dev/src/standin/standinState';
import { runRealClients } from '../dev/support/runRealClients';
import type { ClientOutcome, ClientScenario } from '../dev/support/realClientsProgram';
import { NodeProcesses } from '../support/nodeProcesses';
import { standinRegistry } from '../support/standinRegistry';

/**
 * The whole local stack as a user runs it: the Entra stand-in and two dev hosts
 * (one configured for the v2 API registration, one for the v1 twin) as real
 * processes on free ports, driven by @azure/identity and @azure/msal-node (in a
 * child trusting the stand-in through NODE_EXTRA_CA_CERTS) and plain fetch.
 * Needs the builds (`npm test` runs them first).
 */
const root = path.join(__dirname, '../..');
const registry = standinRegistry();
const api = (name: string) => registry.apiByName(name) ?? fail(`no API ${name}`);
const client = (name: string) => registry.clientByName(name) ?? fail(`no client ${name}`);
const V2 = api('orders-api');
const V1 = api('orders-api-v1');

function fail(message: string): never {
  throw new Error(message);
}

const processes = new NodeProcesses();
let stateDir: string;
let standinProcess: ChildProcess;
let standin: StandinRecord;
let caFetch: CaTrustingFetch;
let v2Host: string;
let v1Host: string;
let tokens: Map<string, ClientOutcome>;
/** The orders store both hosts share, as instances of one app do. */
let azurite: AzuriteTable;

async function startDevHost(registration: { clientId: string; appIdUri: string }): Promise<string> {
  const host = processes.start('packages/azure-functions-entra-dev/dist/host/worker.js', [root], {
    PORT: '0',
    AUTH_TENANT_ID: standin.tenantId,
    AUTH_CLIENT_ID: registration.clientId,
    AUTH_APP_ID_URI: registration.appIdUri,
    AUTH_INSTANCE: standin.url,
    NODE_EXTRA_CA_CERTS: standin.caPath,
    ORDERS_STORAGE: azurite.connectionString,
  });
  return (await waitForJsonLine<{ devHost: string }>(host, 'devHost')).devHost;
}

const scenario = (name: string, library: ClientScenario['library'], clientName: string, scope: string, secret?: string): ClientScenario => ({
  name,
  library,
  clientId: client(clientName).clientId,
  secret: secret ?? client(clientName).secret,
  scope,
});

function token(name: string): string {
  const outcome = tokens.get(name);
  if (outcome === undefined) throw new Error(`no scenario named ${name}`);
  if (!outcome.ok) throw new Error(`no token for ${name}: ${outcome.message}`);
  return outcome.token;
}

async function call(host: string, method: string, route: string, bearer: string, body?: unknown) {
  const response = await fetch(`${host}/api/${route}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    contentType: response.headers.get('content-type'),
    noSniff: response.headers.get('x-content-type-options'),
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined,
  };
}

async function clientCredentialsToken(clientName: string, scope: string): Promise<string> {
  const response = await caFetch(`${standin.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client(clientName).clientId, client_secret: client(clientName).secret, scope }),
  });
  const json = (await response.json()) as { access_token?: string };
  return json.access_token ?? fail(`token endpoint answered ${response.status}`);
}

const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid;

beforeAll(async () => {
  for (const built of ['packages/azure-functions-entra-dev/dist/standin/main.js', 'packages/azure-functions-entra-dev/dist/host/worker.js', 'dist/functions/orders.js']) {
    if (!existsSync(path.join(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  stateDir = mkdtempSync(path.join(tmpdir(), 'e2e-stack-'));
  azurite = await startAzuriteTable({ location: path.join(stateDir, 'azurite') });
  standinProcess = processes.start('packages/azure-functions-entra-dev/dist/standin/main.js', ['--port', '0', '--state-dir', stateDir, '--quiet'], {});
  standin = await waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority');
  caFetch = createCaTrustingFetch(readFileSync(standin.caPath, 'utf8'));
  [v2Host, v1Host] = await Promise.all([startDevHost(V2), startDevHost(V1)]);
  const v2Scope = `${V2.appIdUri}/.default`;
  const v1Scope = `${V1.appIdUri}/.default`;
  tokens = await runRealClients({
    workDir: stateDir,
    caPath: standin.caPath,
    url: standin.url,
    tenantId: standin.tenantId,
    scenarios: [
      scenario('identity reader v2', 'identity', 'reader', v2Scope),
      scenario('identity writer v2', 'identity', 'writer', v2Scope),
      scenario('identity norole v2', 'identity', 'norole', v2Scope),
      scenario('msal reader v1', 'msal', 'reader', v1Scope),
      scenario('msal writer v1', 'msal', 'writer', v1Scope),
      scenario('identity wrong secret', 'identity', 'writer', v2Scope, 'not-the-secret'),
      scenario('msal wrong secret', 'msal', 'writer', v2Scope, 'not-the-secret'),
    ],
  });
}, 60_000);

afterAll(async () => {
  processes.stopAll();
  await azurite.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the anonymous health endpoint', () => {
  it('reports the app up and its keys, and nothing about its configuration', async () => {
    // A fresh host has been fetching Entra's keys since its start (the appStart warm-up), so they may be in
    // already or not yet; the development signer has its key from the start.
    const fresh = await startDevHost(V2);
    const before = (await (await fetch(`${fresh}/api/health`)).json()) as Record<string, unknown>;
    // The deny rules too: read since the start as well, so in or not yet; their age, never their number.
    expect(before).toEqual({
      status: 'ok',
      tokenSigningKeys: expect.stringMatching(/^(not_)?loaded$/) as unknown,
      assertionSigningKeys: 'loaded',
      ordersStore: 'unknown',
      revocationRules: expect.objectContaining({ state: expect.stringMatching(/^(not_loaded|current)$/) as unknown }) as unknown,
    });
    expect((await call(fresh, 'GET', 'orders', token('identity reader v2'))).status).toBe(200);
    const after = await fetch(`${fresh}/api/health`);
    expect(after.headers.get('cache-control')).toBe('no-store');
    expect(after.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await after.json()).toEqual({
      status: 'ok',
      tokenSigningKeys: 'loaded',
      assertionSigningKeys: 'loaded',
      ordersStore: 'answering',
      revocationRules: { state: 'current', ageSeconds: expect.any(Number) as unknown },
    });
  });
});

describe('a v2 API called with @azure/identity tokens', () => {
  it('lets the reader list orders but not create them, with the scope it lacks in the challenge', async () => {
    expect((await call(v2Host, 'GET', 'orders', token('identity reader v2'))).status).toBe(200);
    const denied = await call(v2Host, 'POST', 'orders', token('identity reader v2'), { item: 'x', quantity: 1 });
    expect(denied.status).toBe(403);
    expect(denied.challenge).toContain('error="insufficient_scope"');
    expect(denied.challenge).toContain('scope="Orders.ReadWrite"');
  });

  it('lets the writer create, read and delete an order', async () => {
    const writer = token('identity writer v2');
    const created = await call(v2Host, 'POST', 'orders', writer, { item: 'widget', quantity: 2 });
    expect(created.status).toBe(201);
    const id = String(created.body?.id);
    expect((await call(v2Host, 'GET', `orders/${id}`, writer)).body).toMatchObject({ item: 'widget', tenantId: standin.tenantId });
    expect((await call(v2Host, 'DELETE', `orders/${id}`, writer)).status).toBe(204);
  });

  it('answers a client with no role assigned with 403', async () => {
    const response = await call(v2Host, 'GET', 'orders', token('identity norole v2'));
    expect(response).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } });
  });

  it('answers a token for another API with 401 audience_mismatch', async () => {
    const response = await call(v2Host, 'GET', 'orders', token('msal writer v1'));
    expect(response).toMatchObject({ status: 401, body: { code: 'audience_mismatch' } });
    expect(response.challenge).toContain('error="invalid_token"');
  });
});

describe('a v1 API called with @azure/msal-node tokens', () => {
  it('gets v1 tokens and applies the same roles', async () => {
    const me = await call(v1Host, 'GET', 'me', token('msal reader v1'));
    expect(me).toMatchObject({ status: 200, contentType: 'application/json', noSniff: 'nosniff', body: { tokenVersion: '1.0', isAppOnly: true, roles: ['Orders.Read'] } });
    const refused = await call(v1Host, 'POST', 'orders', token('msal reader v1'), { item: 'x', quantity: 1 });
    expect(refused).toMatchObject({ status: 403, contentType: 'application/problem+json', noSniff: 'nosniff' });
    expect((await call(v1Host, 'POST', 'orders', token('msal writer v1'), { item: 'x', quantity: 1 })).status).toBe(201);
  });
});

describe('a wrong client secret', () => {
  it("surfaces Entra's AADSTS7000215 through both client libraries", () => {
    const identity = tokens.get('identity wrong secret');
    const msal = tokens.get('msal wrong secret');
    expect(identity).toMatchObject({ ok: false, message: expect.stringContaining('AADSTS7000215') });
    expect(msal).toMatchObject({ ok: false, oauthError: 'invalid_client', errorNo: '7000215' });
  });
});

describe('key rotation and a stand-in outage mid-run', () => {
  it('accepts tokens signed before and after a rotation', async () => {
    const before = token('identity writer v2');
    expect((await call(v2Host, 'GET', 'orders', before)).status).toBe(200);
    const rotated = await caFetch(`${standin.url}/_standin/rotate-keys`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    const after = await clientCredentialsToken('writer', `${V2.appIdUri}/.default`);
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect((await call(v2Host, 'GET', 'orders', after)).status).toBe(200);
    expect((await call(v2Host, 'GET', 'orders', before)).status).toBe(200);
  });

  it('keeps accepting tokens with cached keys once the stand-in is gone', async () => {
    // Minted now, never presented before: only the cached key set can verify it.
    const unseen = await clientCredentialsToken('reader', `${V2.appIdUri}/.default`);
    standinProcess.kill('SIGTERM');
    await new Promise((resolve) => standinProcess.once('exit', resolve));
    await expect(caFetch(`${standin.url}/_standin/health`)).rejects.toThrow();
    expect((await call(v2Host, 'GET', 'orders', unseen)).status).toBe(200);
    expect((await call(v2Host, 'GET', 'orders', token('identity writer v2'))).status).toBe(200);
  });
});
