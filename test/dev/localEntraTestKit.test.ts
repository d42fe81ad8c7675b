// Written as an app's own test would be: the test kit, the auth package by name, nothing of this app.
import { anyOf, createEntraAuth, defineRoute } from 'azure-functions-entra-auth';
import type { HttpHandler } from '@azure/functions';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { invoke, startLocalEntra, type LocalEntra } from '../../packages/azure-functions-entra-dev/src/testing/localEntra';

const permissions = { appRoles: ['Orders.Read', 'Orders.ReadWrite'], scopes: ['Orders.Read', 'Orders.ReadWrite'] };
const orders = defineRoute('orders', 'orders', {
  GET: { appRoles: anyOf('Orders.Read', 'Orders.ReadWrite'), scopes: anyOf('Orders.Read') },
  POST: { appRoles: anyOf('Orders.ReadWrite') },
});
const handlersFor = (apiName: string) => ({
  GET: (_request: unknown, _context: unknown, caller: { isAppOnly: boolean; scopes: readonly string[]; tokenVersion: string }) => ({
    jsonBody: { api: apiName, appOnly: caller.isAppOnly, scopes: caller.scopes, version: caller.tokenVersion },
  }),
  POST: () => ({ status: 201, jsonBody: { created: true } }),
});

let kit: LocalEntra;
let handler: HttpHandler;
let v1Handler: HttpHandler;
beforeAll(async () => {
  kit = await startLocalEntra();
  handler = createEntraAuth({ env: kit.settings('orders-api'), permissions }).routeHandler(orders, handlersFor('orders-api'));
  v1Handler = createEntraAuth({ env: kit.settings('orders-api-v1'), permissions }).routeHandler(orders, handlersFor('orders-api-v1'));
});
afterAll(() => kit.stop());

const call = (h: HttpHandler, token: string, method = 'GET') =>
  invoke(h, { method, url: 'https://localhost/api/orders', headers: { authorization: `Bearer ${token}` }, ...(method === 'POST' && { body: { item: 'x' } }) });

describe('dev/testing/localEntra: an app tests its protected handlers with a local Entra stand-in', () => {
  it('settings name the stand-in and its CA, as the app settings would', () => {
    expect(kit.settings('orders-api')).toEqual({
      AUTH_TENANT_ID: kit.tenantId,
      AUTH_CLIENT_ID: kit.registry.apiByName('orders-api')?.clientId,
      AUTH_APP_ID_URI: 'api://orders-api',
      AUTH_INSTANCE: kit.url,
      AUTH_INSTANCE_CA_FILE: kit.caPath,
    });
    expect(kit.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(kit.caPem).toContain('BEGIN CERTIFICATE');
  });

  it('a writer app token from the real token endpoint: 200 on GET and 201 on POST', async () => {
    const token = await kit.token({ api: 'orders-api', client: 'writer' });
    const got = await call(handler, token);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ api: 'orders-api', appOnly: true, scopes: [], version: '2.0' });
    expect((await call(handler, token, 'POST')).status).toBe(201);
  });

  it('a norole client token: 403 insufficient_scope', async () => {
    const got = await call(handler, await kit.token({ api: 'orders-api', client: 'norole' }));
    expect(got.status).toBe(403);
    expect(got.headers['www-authenticate']).toContain('insufficient_scope');
  });

  it('a reader app token with chosen roles, signed with the stand-in key: GET 200, POST 403', async () => {
    const token = await kit.token({ api: 'orders-api', client: 'reader', roles: ['Orders.Read'] });
    expect(decodeProtectedHeader(token).kid).toBe(kit.standin.signingKids()[0]);
    expect((await call(handler, token)).status).toBe(200);
    expect((await call(handler, token, 'POST')).status).toBe(403);
  });

  it('a delegated token with scp Orders.Read passes the scopes rule (200) and not an app-roles-only rule (403)', async () => {
    const token = await kit.token({ api: 'orders-api', kind: 'delegated', scopes: ['Orders.Read'] });
    expect(decodeJwt(token)).toMatchObject({ scp: 'Orders.Read', ver: '2.0', preferred_username: expect.any(String) as unknown });
    const got = await call(handler, token);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ appOnly: false, scopes: ['Orders.Read'] });
    expect((await call(handler, token, 'POST')).status).toBe(403);
  });

  it('an expired token (lifetime in the past): 401 token_expired', async () => {
    const got = await call(handler, await kit.token({ api: 'orders-api', lifetimeSeconds: -3600 }));
    expect(got.status).toBe(401);
    expect(got.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(got.body).toMatchObject({ code: 'token_expired' });
  });

  it('a token not valid before an hour from now: 401 token_not_yet_valid; one an hour old but still in its lifetime: 200', async () => {
    const now = Math.floor(Date.now() / 1000);
    const early = await call(handler, await kit.token({ api: 'orders-api', notBefore: now + 3600, lifetimeSeconds: 7200 }));
    expect(early.body).toMatchObject({ code: 'token_not_yet_valid' });
    expect(early.status).toBe(401);
    expect((await call(handler, await kit.token({ api: 'orders-api', notBefore: now - 3600 }))).status).toBe(200);
  });

  it('invoke passes route parameters and the route template through to the handler', async () => {
    const one = defineRoute('order', 'orders/{id}', { GET: { appRoles: anyOf('Orders.Read', 'Orders.ReadWrite') } });
    const h = createEntraAuth({ env: kit.settings('orders-api'), permissions }).routeHandler(one, {
      GET: (request, context) => ({ jsonBody: { id: request.params.id, route: (context.options.trigger as { route?: string }).route, q: request.query.get('q') } }),
    });
    const got = await invoke(h, { method: 'GET', url: 'https://localhost/api/orders/42?q=x', route: 'orders/{id}', params: { id: '42' }, headers: { authorization: `Bearer ${await kit.token({ api: 'orders-api' })}` } });
    expect(got).toMatchObject({ status: 200, body: { id: '42', route: 'orders/{id}', q: 'x' } });
  });

  it('custom claims win: a token for another tenant is refused 401', async () => {
    const got = await call(handler, await kit.token({ api: 'orders-api', claims: { tid: 'de700000-0000-4000-8000-00000000dead' } }));
    expect(got.status).toBe(401);
  });

  it('a v1 token for the v1 API: 200 with the orders-api-v1 settings, 401 with orders-api ones', async () => {
    const fromEndpoint = await kit.token({ api: 'orders-api-v1', client: 'reader' });
    expect(decodeJwt(fromEndpoint).ver).toBe('1.0');
    expect((await call(v1Handler, fromEndpoint)).body).toMatchObject({ api: 'orders-api-v1', version: '1.0' });
    const delegated = await kit.token({ api: 'orders-api-v1', kind: 'delegated', scopes: ['Orders.Read'] });
    expect(decodeJwt(delegated)).toMatchObject({ ver: '1.0', iss: `https://sts.windows.net/${kit.tenantId}/`, upn: expect.any(String) as unknown });
    expect((await call(v1Handler, delegated)).status).toBe(200);
    expect((await call(handler, fromEndpoint)).status).toBe(401);
  });

  it('a chosen version on a v2 API: a v1-shaped token for orders-api verifies too (AUTH_TOKEN_VERSIONS allows both)', async () => {
    const token = await kit.token({ api: 'orders-api', version: '1.0', roles: ['Orders.Read'] });
    expect(decodeProtectedHeader(token).x5t).toBeDefined();
    expect((await call(handler, token)).body).toMatchObject({ version: '1.0' });
  });

  it('a delegated token without scopes is a mistake in the test, said at once', async () => {
    await expect(kit.token({ api: 'orders-api', kind: 'delegated' })).rejects.toThrow(/needs scopes/);
  });

  it('a claim set to undefined is left off: a token without exp is refused 401', async () => {
    const token = await kit.token({ api: 'orders-api', claims: { exp: undefined } });
    expect(decodeJwt(token).exp).toBeUndefined();
    expect((await call(handler, token)).status).toBe(401);
  });

  it('after a key rotation, chosen-claim tokens are signed with the new key and still verify', async () => {
    const { kid } = await kit.standin.rotateKeys();
    const token = await kit.token({ api: 'orders-api', roles: ['Orders.Read'] });
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    expect((await call(handler, token)).status).toBe(200);
  });
});

describe('startLocalEntra options', () => {
  it('takes registry JSON and removes its temporary state on stop', async () => {
    const json = JSON.parse(readFileSync('local.entra.json', 'utf8')) as { clients: { name: string }[] };
    const own = await startLocalEntra({ registry: { ...json, clients: json.clients.filter((c) => c.name !== 'norole') } });
    const caPath = own.caPath;
    expect(own.registry.clientByName('norole')).toBeUndefined();
    await expect(own.token({ api: 'orders-api', client: 'norole' })).rejects.toThrow(/no client named norole/);
    expect(existsSync(caPath)).toBe(true);
    await own.stop();
    expect(existsSync(caPath)).toBe(false);
  });
});

describe('over real HTTP: the app in the dev host (a child process) with kit.settings() as its environment', () => {
  // A small app, as a user's would be, registering its route with auth.registerRoute; run by the dev host (needs `npm run build:dev`).
  const root = resolve(__dirname, '../..');
  let appRoot: string;
  let child: ReturnType<typeof spawn>;
  let hostUrl: string;

  beforeAll(async () => {
    appRoot = mkdtempSync(join(tmpdir(), 'local-entra-app-'));
    writeFileSync(join(appRoot, 'package.json'), JSON.stringify({ name: 'kit-app', main: 'index.js' }));
    writeFileSync(join(appRoot, 'host.json'), JSON.stringify({ version: '2.0' }));
    writeFileSync(
      join(appRoot, 'index.js'),
      `const { anyOf, createEntraAuth, defineRoute } = require(${JSON.stringify(join(root, 'node_modules/azure-functions-entra-auth'))});
const auth = createEntraAuth({ env: process.env, permissions: { appRoles: ['Orders.Read', 'Orders.ReadWrite'], scopes: ['Orders.Read'] } });
auth.registerRoute(defineRoute('orders', 'orders', { GET: { appRoles: anyOf('Orders.Read', 'Orders.ReadWrite'), scopes: anyOf('Orders.Read') } }), {
  GET: (_request, _context, caller) => ({ jsonBody: { appOnly: caller.isAppOnly } }),
});`,
    );
    const script = `
const { loadFunctionApp } = require(${JSON.stringify(join(root, 'packages/azure-functions-entra-dev/dist/host/loadFunctionApp.js'))});
const { startDevHost } = require(${JSON.stringify(join(root, 'packages/azure-functions-entra-dev/dist/host/devHost.js'))});
(async () => {
  const app = loadFunctionApp(process.argv[1]);
  const host = await startDevHost({ functions: app.functions, routePrefix: app.routePrefix, port: 0, log: () => undefined });
  process.stdout.write(host.url + '\\n');
  process.stdin.on('end', () => void host.stop().then(() => process.exit(0)));
  process.stdin.resume();
})();`;
    child = spawn(process.execPath, ['-e', script, appRoot], { env: { PATH: process.env.PATH ?? '', ...kit.settings('orders-api') }, stdio: ['pipe', 'pipe', 'inherit'] });
    hostUrl = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolveUrl(out.trim());
      });
      child.once('exit', (code) => {
        reject(new Error(`the dev host exited (${String(code)}) before serving`));
      });
    });
  });
  afterAll(async () => {
    const exited = new Promise((done) => child.once('exit', done));
    child.stdin?.end();
    await exited;
    rmSync(appRoot, { recursive: true, force: true });
  });

  it('a writer token: 200; a delegated Orders.Read token: 200; no token: 401', async () => {
    const get = async (token?: string) => fetch(`${hostUrl}/api/orders`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    const writer = await get(await kit.token({ api: 'orders-api', client: 'writer' }));
    expect(writer.status).toBe(200);
    expect(await writer.json()).toEqual({ appOnly: true });
    expect((await get(await kit.token({ api: 'orders-api', kind: 'delegated', scopes: ['Orders.Read'] }))).status).toBe(200);
    expect((await get()).status).toBe(401);
  });
});
