import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, INDEX_HTML, START_SCRIPT, SWAGGER_UI_FILES } from './docsPage';

export interface DocsServerOptions {
  /** The app's origin (the dev host or `npm start`), e.g. http://127.0.0.1:7071. */
  readonly api: string;
  /** 0 for a free port. */
  readonly port: number;
}

export interface DocsServer {
  /** e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  stop(): Promise<void>;
}

/** Request headers passed on to the app; everything else (cookies, the browser's own) stays here. */
const FORWARDED_REQUEST = ['authorization', 'content-type', 'if-match', 'accept'];
/** Answer headers passed back, so the page shows what a real client would see. */
const FORWARDED_ANSWER = ['content-type', 'www-authenticate', 'etag', 'location', 'retry-after', 'allow', 'cache-control', 'x-content-type-options'];
const MAX_BODY_BYTES = 256 * 1024;

/**
 * The local docs page: Swagger UI from swagger-ui-dist, the app's own /api/openapi.json,
 * and /api/* passed to the app, so "Try it out" calls the API from the page's own
 * origin (no CORS in the app for a dev tool). Listens on 127.0.0.1 only; dev/ is never
 * deployed.
 */
export async function startDocsServer(options: DocsServerOptions): Promise<DocsServer> {
  const api = new URL(options.api);
  if (!['http:', 'https:'].includes(api.protocol) || api.pathname !== '/' || api.search !== '') {
    throw new Error(`--api must be the app's origin, like http://127.0.0.1:7071 (got ${options.api})`);
  }
  const uiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const server = createServer((request, response) => {
    handle(request, response, api, uiDir).catch((error: unknown) => {
      if (!response.headersSent) send(response, 502, 'text/plain; charset=utf-8', `docs server: ${error instanceof Error ? error.message : String(error)}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, stop: () => close(server) };
}

async function handle(request: IncomingMessage, response: ServerResponse, api: URL, uiDir: string): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://docs.invalid');
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return forward(request, response, api, url);
  if (request.method !== 'GET' && request.method !== 'HEAD') { send(response, 405, 'text/plain; charset=utf-8', 'GET only\n'); return; }
  if (url.pathname === '/' || url.pathname === '/index.html') { send(response, 200, 'text/html; charset=utf-8', INDEX_HTML); return; }
  if (url.pathname === '/docs-start.js') { send(response, 200, 'text/javascript; charset=utf-8', START_SCRIPT); return; }
  const name = url.pathname.startsWith('/swagger-ui/') ? url.pathname.slice('/swagger-ui/'.length) : url.pathname === '/favicon.ico' ? 'favicon-32x32.png' : '';
  const type = Object.hasOwn(SWAGGER_UI_FILES, name) ? SWAGGER_UI_FILES[name] : undefined;
  if (type === undefined) { send(response, 404, 'text/plain; charset=utf-8', 'not found\n'); return; }
  send(response, 200, type, await readFile(path.join(uiDir, name)));
}

async function forward(request: IncomingMessage, response: ServerResponse, api: URL, url: URL): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await readBody(request);
  const answer = await fetch(new URL(`${url.pathname}${url.search}`, api), { method: request.method ?? 'GET', headers, ...(body && { body }), redirect: 'manual' });
  const out: Record<string, string> = {};
  for (const name of FORWARDED_ANSWER) {
    const value = answer.headers.get(name);
    if (value !== null) out[name] = value;
  }
  response.writeHead(answer.status, out);
  response.end(Buffer.from(await answer.arrayBuffer()));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  response.end(body);
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => { resolve(); }));
}
