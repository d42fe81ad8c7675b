import { connect } from 'node:net';
import { startDevHost, type RunningDevHost } from '../../packages/azure-functions-entra-dev/src/host/devHost';
import type { HttpFunctionRegistration } from '../../packages/azure-functions-entra-dev/src/host/functionsCore';

/**
 * The dev host against hostile request lines and Host headers, over raw sockets so
 * the bytes are exactly what an attacker would send (fetch would refuse or fix them).
 */
let host: RunningDevHost;
let port: number;
const logs: string[] = [];

const echo = (name: string, route: string, methods: string[]): HttpFunctionRegistration => ({
  name,
  route,
  methods,
  handler: undefined,
  authLevel: 'anonymous',
  invoke: (request) =>
    Promise.resolve({
      status: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(JSON.stringify({ name, params: request.params, url: request.url })),
    }),
});

beforeAll(async () => {
  host = await startDevHost({
    functions: [echo('getOrder', 'orders/{id}', ['GET']), echo('tenantOrders', 'tenants/{tenantId}/orders', ['GET', 'POST'])],
    routePrefix: 'api',
    port: 0,
    log: (line) => logs.push(line),
  });
  port = Number(new URL(host.url).port);
});

afterAll(() => host.stop());

beforeEach(() => {
  logs.length = 0;
});

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends `head` as-is (CRLF line ends added) and reads the whole answer; the server closes the connection. */
function raw(lines: readonly string[]): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const split = bytes.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = bytes.subarray(split + 4);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: (headers['transfer-encoding'] === 'chunked' ? dechunk(body) : body).toString('utf8') });
    });
    socket.write(`${[...lines, 'Connection: close'].join('\r\n')}\r\n\r\n`);
  });
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ; ) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

const get = (target: string, hostHeader = `127.0.0.1:${port}`) => raw([`GET ${target} HTTP/1.1`, `Host: ${hostHeader}`]);

describe('the dev host answers hostile requests with 400, never 500', () => {
  it.each([
    ['/api/orders/%E0%A4%A', 'a truncated UTF-8 sequence'],
    ['/api/tenants/%zz/orders', 'a non-hex escape'],
    ['/api/orders/%', 'a lone percent sign'],
    ['/api/orders/%C0%AF', 'an overlong UTF-8 encoding'],
  ])('malformed percent-encoding in the path: %s (%s)', async (target) => {
    const response = await get(target);
    expect(response.status).toBe(400);
    expect(response.body).toContain('malformed percent-encoding');
    expect(logs).toEqual(['dev host: 400 malformed percent-encoding in the path']);
  });

  it.each([
    ['credentials', 'attacker:secret@127.0.0.1'],
    ['spaces', 'evil host.example'],
    ['a path', '127.0.0.1/api'],
    ['an empty value', ''],
    ['markup', '<script>x</script>'],
  ])('a Host header with %s, without logging its value', async (_what, hostHeader) => {
    const response = await get('/api/orders/1', hostHeader);
    expect(response.status).toBe(400);
    expect(response.body).toContain('invalid Host header');
    expect(logs).toEqual(['dev host: 400 invalid Host header']);
    if (hostHeader) expect(logs.join('\n')).not.toContain(hostHeader);
  });

  it.each([
    ['http://exa%mple/api/orders/1', 'unparsable request target'],
    ['http://[::1/api/orders/1', 'unparsable request target'],
    ['*', 'unsupported request target'],
  ])('an unparsable or unsupported request target: %s', async (target, reason) => {
    const response = await get(target);
    expect(response.status).toBe(400);
    expect(response.body).toContain(reason);
    expect(logs).toEqual([`dev host: 400 ${reason}`]);
  });

  it.each(['http://exa mple/api/orders/1', 'api/orders/1'])('a request line Node itself cannot parse: %s', async (target) => {
    const response = await get(target);
    expect(response.status).toBe(400);
    expect(logs).toEqual([]);
  });
});

describe('the dev host routes what is well formed', () => {
  it('decodes a valid escape into the route parameter', async () => {
    const response = await get('/api/tenants/caf%C3%A9/orders');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ name: 'tenantOrders', params: { tenantId: 'café' } });
  });

  it('takes the URL from the Host header and the origin-form target, not from an absolute path', async () => {
    const response = await get('//elsewhere.example/api/orders/7');
    expect(response.status).toBe(404);
    const routed = await get('/api/orders/7', 'localhost:7071');
    expect(JSON.parse(routed.body)).toMatchObject({ params: { id: '7' }, url: 'http://localhost:7071/api/orders/7' });
  });

  it('accepts an absolute-form target, as a proxy sends it', async () => {
    const response = await get(`http://127.0.0.1:${port}/api/orders/8`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ params: { id: '8' } });
  });

  it('answers a method the route does not register as the Functions host does: an empty 404, no Allow, no function run', async () => {
    const deleted = await raw([`DELETE /api/orders/1 HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Length: 0']);
    expect(deleted.status).toBe(404);
    expect(deleted.headers.allow).toBeUndefined();
    expect(deleted.body).toBe('');
    const put = await raw([`PUT /api/tenants/t/orders HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Length: 0']);
    expect(put.status).toBe(404);
    expect(put.headers.allow).toBeUndefined();
    expect(logs.some((line) => line.includes('->'))).toBe(false);
    // The registered methods of the same paths still reach their functions.
    expect((await raw([`POST /api/tenants/t/orders HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Length: 0'])).status).toBe(200);
  });

  it('answers 404 outside the route prefix, including paths that only start with it', async () => {
    expect((await get('/apix/orders/1')).status).toBe(404);
    expect((await get('/other')).status).toBe(404);
  });
});
