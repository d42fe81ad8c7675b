import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureLocalTls, type LocalTls } from '../../packages/azure-functions-entra-dev/src/tls/localTls';
import { FetchJsonError, fetchJson, type FetchLike } from '../../packages/azure-functions-entra-auth/src/net/fetchJson';
import { createNodeHttpFetch } from '../../packages/azure-functions-entra-auth/src/net/nodeHttpFetch';

/** fetchJson over TLS to a server whose CA Node does not trust (as the stand-in is when NODE_EXTRA_CA_CERTS names another bundle). */
let stateDir: string;
let tls: LocalTls;
let server: Server;
let origin: string;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'tls-fetch-'));
  tls = await ensureLocalTls({ stateDir });
  server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 64; i++) res.write(`{"pad":"${'x'.repeat(16 * 1024)}"}`);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(stateDir, { recursive: true, force: true });
});

const options = { timeoutMs: 5_000, maxBytes: 64 * 1024 };

describe.each([
  ['fetch', (): FetchLike => (input, init) => fetch(input, init)],
  ['the node:http transport', (): FetchLike => createNodeHttpFetch()],
])('key fetches over TLS through %s', (_name, untrusting) => {
  it('name an untrusted certificate as a TLS certificate problem, with its code, not just "fetch failed"', async () => {
    const error = await fetchJson(`${origin}/keys`, { ...options, fetch: untrusting() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchJsonError);
    expect(error).toMatchObject({ reason: 'tls' });
    expect((error as Error).message).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/keys: TLS certificate problem: [A-Z_]+ \(.+\)$/);
  });
});

describe('key fetches trusting the local CA (AUTH_INSTANCE_CA_FILE)', () => {
  it('succeed through the node:http transport given that CA', async () => {
    expect(await fetchJson(`${origin}/keys`, { ...options, fetch: createNodeHttpFetch({ ca: tls.caCertPem }) })).toEqual({ keys: [] });
  });

  it('keep the byte cap: the body streams, so reading stops at the cap', async () => {
    const error = await fetchJson(`${origin}/huge`, { ...options, fetch: createNodeHttpFetch({ ca: tls.caCertPem }) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'too_large' });
  });

  it('trust only that CA: a server with a certificate from another CA is refused', async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'tls-other-'));
    try {
      const other = await ensureLocalTls({ stateDir: otherDir });
      const error = await fetchJson(`${origin}/keys`, { ...options, fetch: createNodeHttpFetch({ ca: other.caCertPem }) }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'tls' });
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
