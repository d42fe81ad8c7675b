import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchJsonError, fetchJson, type FetchJsonFailure, type FetchJsonOptions, type FetchLike } from '../../src/net/fetchJson';
import { createNodeHttpFetch } from '../../src/net/nodeHttpFetch';

type Route = (res: ServerResponse, req: IncomingMessage) => void;

const json = (res: ServerResponse, body: string, headers: Record<string, string | number> = {}) =>
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers }).end(body);

const CAP = 1024;

/** Every behaviour fetchJson must handle, served over real HTTP on 127.0.0.1. */
const routes: Record<string, Route> = {
  '/ok': (res) => json(res, '{"issuer":"ok"}'),
  '/problem-json': (res) => json(res, '{"kind":"problem"}', { 'content-type': 'application/problem+json; charset=utf-8' }),
  '/same-origin': (res) => res.writeHead(302, { location: '/ok' }).end(),
  '/same-origin-absolute': (res, req) => res.writeHead(301, { location: `http://${String(req.headers.host)}/ok` }).end(),
  // localhost and 127.0.0.1 name the same socket but are different origins; the target is never fetched.
  '/cross-origin': (res, req) => res.writeHead(302, { location: `http://localhost:${String(req.headers.host).split(':')[1] ?? ''}/ok` }).end(),
  '/other-scheme': (res) => res.writeHead(307, { location: 'https://127.0.0.1/ok' }).end(),
  '/no-location': (res) => res.writeHead(302).end(),
  '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
  '/hop-1': (res) => res.writeHead(302, { location: '/hop-2' }).end(),
  '/hop-2': (res) => res.writeHead(302, { location: '/ok' }).end(),
  '/500': (res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}'),
  '/404': (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'),
  '/204': (res) => res.writeHead(204).end(),
  '/html': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'),
  '/jsonp': (res) => res.writeHead(200, { 'content-type': 'application/jsonp' }).end('{}'),
  '/text-json': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('{}'),
  '/no-type': (res) => {
    res.removeHeader('content-type');
    res.writeHead(200).end('{}');
  },
  '/declared-too-large': (res) => json(res, `"${'x'.repeat(CAP * 4)}"`),
  '/streamed-too-large': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no Content-Length
    for (let i = 0; i < 8; i++) res.write(' '.repeat(CAP / 2));
    res.end('{}');
  },
  '/at-cap': (res) => json(res, `"${'x'.repeat(CAP - 2)}"`),
  '/streamed-at-cap': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(' '.repeat(CAP / 2));
    res.end(`${' '.repeat(CAP / 2 - 2)}{}`);
  },
  '/invalid-json': (res) => json(res, '{"keys": [ {"kty": "RSA", '),
  '/empty-body': (res) => json(res, ''),
  '/never-answers': () => undefined,
  '/stalls-mid-body': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"keys": [');
  },
};

let server: Server;
let origin: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    (routes[path] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
});

beforeEach(() => {
  requests.length = 0;
});

/** The transports fetchJson runs over: fetch (tests, backends), and node:http as the key store fetches. */
const TRANSPORTS: readonly [string, FetchLike][] = [
  ['fetch', (input, init) => fetch(input, init)],
  ['the node:http transport (createNodeHttpFetch)', createNodeHttpFetch()],
];
let transport: FetchLike = (TRANSPORTS[0] as [string, FetchLike])[1];

const options = (overrides: Partial<FetchJsonOptions> = {}): FetchJsonOptions => ({
  fetch: transport,
  timeoutMs: 2_000,
  maxBytes: CAP,
  ...overrides,
});

async function failureOf(path: string, overrides: Partial<FetchJsonOptions> = {}): Promise<FetchJsonError> {
  const error = await fetchJson(`${origin}${path}`, options(overrides)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof FetchJsonError)) throw new Error(`expected a FetchJsonError, got ${String(error)}`);
  return error;
}

async function expectFailure(path: string, reason: FetchJsonFailure, overrides: Partial<FetchJsonOptions> = {}): Promise<FetchJsonError> {
  const error = await failureOf(path, overrides);
  expect(error.reason).toBe(reason);
  expect(error.name).toBe('FetchJsonError');
  expect(error.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\//);
  return error;
}

describe.each(TRANSPORTS)('fetchJson over %s', (_name, chosen) => {
  beforeAll(() => {
    transport = chosen;
  });

  it('returns the parsed body of a 200 JSON response', async () => {
    await expect(fetchJson(`${origin}/ok`, options())).resolves.toEqual({ issuer: 'ok' });
  });

  it('accepts a +json content type with parameters', async () => {
    await expect(fetchJson(`${origin}/problem-json`, options())).resolves.toEqual({ kind: 'problem' });
  });

  it('sends Accept: application/json', async () => {
    const seen: RequestInit[] = [];
    await fetchJson(`${origin}/ok`, options({ fetch: (input, init) => (seen.push(init), transport(input, init)) }));
    expect(seen[0]?.headers).toEqual({ accept: 'application/json' });
    expect(seen[0]?.redirect).toBe('manual');
  });

  describe('deadline', () => {
    it('times out when the server never answers', async () => {
      const error = await expectFailure('/never-answers', 'timeout', { timeoutMs: 150 });
      expect(error.message).toContain('timed out');
    });

    it('times out when the body stalls after the headers: one deadline covers the whole exchange', async () => {
      await expectFailure('/stalls-mid-body', 'timeout', { timeoutMs: 150 });
    });

    it('reports a refused connection as a network failure, not a timeout', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => { resolve(); }));
      const error = await fetchJson(`http://127.0.0.1:${port}/ok`, options()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FetchJsonError);
      expect((error as FetchJsonError).reason).toBe('network');
    });
  });

  describe('redirects', () => {
    it('follows a relative same-origin redirect', async () => {
      await expect(fetchJson(`${origin}/same-origin`, options())).resolves.toEqual({ issuer: 'ok' });
      expect(requests).toEqual(['/same-origin', '/ok']);
    });

    it('follows an absolute same-origin redirect', async () => {
      await expect(fetchJson(`${origin}/same-origin-absolute`, options())).resolves.toEqual({ issuer: 'ok' });
      expect(requests).toEqual(['/same-origin-absolute', '/ok']);
    });

    it('follows up to maxRedirects hops', async () => {
      await expect(fetchJson(`${origin}/hop-1`, options({ maxRedirects: 2 }))).resolves.toEqual({ issuer: 'ok' });
      expect(requests).toEqual(['/hop-1', '/hop-2', '/ok']);
    });

    it('refuses a redirect to another origin without fetching it', async () => {
      const error = await expectFailure('/cross-origin', 'redirect');
      expect(error.message).toMatch(/redirect to http:\/\/localhost:\d+ refused/);
      expect(requests).toEqual(['/cross-origin']);
    });

    it('refuses a redirect to the same host over another scheme', async () => {
      await expectFailure('/other-scheme', 'redirect');
      expect(requests).toEqual(['/other-scheme']);
    });

    it('refuses a redirect without a Location', async () => {
      const error = await expectFailure('/no-location', 'redirect');
      expect(error.message).toContain('nowhere');
    });

    it('caps a redirect loop at the default of 2 redirects', async () => {
      const error = await expectFailure('/loop', 'redirect');
      expect(error.message).toContain('too many redirects');
      expect(requests).toEqual(['/loop', '/loop', '/loop']);
    });

    it('with maxRedirects 0 follows none', async () => {
      await expectFailure('/same-origin', 'redirect', { maxRedirects: 0 });
      expect(requests).toEqual(['/same-origin']);
    });

    it('counts every hop against maxRedirects', async () => {
      await expectFailure('/hop-1', 'redirect', { maxRedirects: 1 });
      expect(requests).toEqual(['/hop-1', '/hop-2']);
    });
  });

  describe('status and content type', () => {
    it.each([
      ['/500', 'HTTP 500'],
      ['/404', 'HTTP 404'],
      ['/204', 'HTTP 204'],
    ])('refuses %s as a status failure', async (path, message) => {
      const error = await expectFailure(path, 'status');
      expect(error.message).toContain(message);
    });

    it.each(['/html', '/jsonp', '/text-json', '/no-type'])('refuses %s as not JSON by content type', async (path) => {
      await expectFailure(path, 'content_type');
    });
  });

  describe('size cap', () => {
    it('refuses a body whose Content-Length exceeds the cap', async () => {
      const error = await expectFailure('/declared-too-large', 'too_large');
      expect(error.message).toContain(`bytes exceeds ${CAP}`);
    });

    it('refuses a streamed body without Content-Length once it passes the cap', async () => {
      const error = await expectFailure('/streamed-too-large', 'too_large');
      expect(error.message).toContain(`body exceeds ${CAP} bytes`);
    });

    it('accepts a body of exactly the cap', async () => {
      await expect(fetchJson(`${origin}/at-cap`, options())).resolves.toBe('x'.repeat(CAP - 2));
    });

    it('refuses the same body with a cap one byte smaller', async () => {
      await expectFailure('/at-cap', 'too_large', { maxBytes: CAP - 1 });
    });

    it('counts streamed bytes exactly: a body of the cap passes, a cap one byte smaller refuses it', async () => {
      await expect(fetchJson(`${origin}/streamed-at-cap`, options())).resolves.toEqual({});
      const error = await expectFailure('/streamed-at-cap', 'too_large', { maxBytes: CAP - 1 });
      expect(error.message).toContain(`body exceeds ${CAP - 1} bytes`);
    });
  });

  describe('body', () => {
    it.each(['/invalid-json', '/empty-body'])('refuses %s as invalid JSON', async (path) => {
      const error = await expectFailure(path, 'json');
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });
  });
});
