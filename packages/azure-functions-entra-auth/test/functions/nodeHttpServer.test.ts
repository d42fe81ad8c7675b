import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anyOf, authorize, extractBearerToken, principalFrom, type AccessTokenVerifier } from '../../src/index';
import { startHarness, type Harness } from '../support/verifierHarness';
import { mintAccessToken } from '../support/entraTokens';

/**
 * The README's "Outside Functions" example, run: a plain node:http server protected with the
 * framework-free verifier and authorizer, called over HTTP with real tokens.
 */

/** The README example's request handler, as written there (the verifier injected instead of built from process.env). */
function invoicesServer(verifier: AccessTokenVerifier): Server {
  const rule = { appRoles: anyOf('Invoices.Read') };

  async function invoices(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const extracted = extractBearerToken({ headers: new Headers(req.headers as Record<string, string>), query: url.searchParams });
    if (extracted.kind !== 'token') return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    try {
      const principal = principalFrom(await verifier.verify(extracted.token));
      const decision = authorize(principal, rule, {});
      if (!decision.allowed) return void res.writeHead(decision.refusal.http.status).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tenant: principal.tenantId }));
    } catch {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
    }
  }

  return createServer((req, res) => void invoices(req, res));
}

let harness: Harness;
let server: Server;
let url: string;

beforeAll(async () => {
  harness = await startHarness();
  server = invoicesServer(harness.verifier);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/invoices`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await harness.stop();
});

const call = async (token?: string) => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe('a node:http server with the framework-free verifier and authorizer (README example)', () => {
  it('answers 200 to a daemon with the app role', async () => {
    const response = await call(await mintAccessToken(harness.key, { instance: harness.server.url, kind: 'app', roles: ['Invoices.Read'] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tenant: harness.settings.tenant.kind === 'single' ? harness.settings.tenant.tenantId : '' });
  });

  it('answers 401 without a token and to a forged one', async () => {
    expect((await call()).status).toBe(401);
    const genuine = await mintAccessToken(harness.key, { instance: harness.server.url, kind: 'app', roles: ['Invoices.Read'] });
    const forged = `${genuine.slice(0, genuine.lastIndexOf('.') + 1)}${'A'.repeat(342)}`;
    const response = await call(forged);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('answers 403 to a daemon without the role', async () => {
    const response = await call(await mintAccessToken(harness.key, { instance: harness.server.url, kind: 'app', roles: ['Other.Role'] }));
    expect(response.status).toBe(403);
  });
});
