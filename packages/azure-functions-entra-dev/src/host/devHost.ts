import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpFunctionRegistration } from './functionsCore';
import { parseRequestTarget } from './requestTarget';
import { compileRoute, type RouteMatch } from './routeMatcher';

/**
 * A development host for the function app's HTTP functions: routes requests under
 * the route prefix to the registered functions, which run through the app's own
 * @azure/functions as under the Functions worker (see functionsCore.ts). Local use
 * only; in Azure the Functions runtime serves the app.
 */
export interface DevHostOptions {
  readonly functions: readonly HttpFunctionRegistration[];
  readonly routePrefix: string;
  readonly port: number;
  readonly host?: string;
  readonly log?: (line: string) => void;
  /** Request bodies above this are refused with 413 (the Functions host's own limit is larger). */
  readonly maxBodyBytes?: number;
}

interface CompiledFunction {
  readonly registration: HttpFunctionRegistration;
  readonly match: (path: string) => RouteMatch | undefined;
}

export interface RunningDevHost {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDevHost(options: DevHostOptions): Promise<RunningDevHost> {
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const prefix = options.routePrefix ? `/${options.routePrefix}` : '';
  const compiled: CompiledFunction[] = options.functions.map((registration) => ({ registration, match: compileRoute(registration.route) }));
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`dev host: ${error instanceof Error ? error.message : 'request failed'}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('dev host error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseRequestTarget(req, 'localhost');
    if (!target.ok) {
      // The reason is ours; the offending value is not logged.
      log(`dev host: 400 ${target.reason}`);
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`${target.reason}\n`);
      return;
    }
    const { url } = target;
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const lower = path.toLowerCase();
    if (prefix && lower !== prefix.toLowerCase() && !lower.startsWith(`${prefix.toLowerCase()}/`)) {
      reply(res, 404);
      return;
    }
    const rest = path.slice(prefix.length);
    // The Functions host maps each HTTP function's methods as a route constraint
    // (azure-functions-host src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs,
    // HttpMethodRouteConstraint), so a method the function does not register matches no
    // route and gets the same empty 404 as an unknown path: no 405, no Allow, no code run.
    const chosen = compiled.map((fn) => ({ fn, params: fn.match(rest) })).find((c) => c.params !== undefined && c.fn.registration.methods.includes(method));
    if (!chosen?.params) {
      reply(res, 404);
      return;
    }

    const body = await readBody(req, options.maxBodyBytes ?? 10 * 1024 * 1024);
    if (body === undefined) {
      reply(res, 413);
      return;
    }
    const { registration } = chosen.fn;
    const started = Date.now();
    const response = await registration.invoke(
      { method, url: url.href, headers: joinHeaders(req), params: { ...chosen.params }, query: Object.fromEntries(url.searchParams), body },
      (level, message) => {
        log(`[${registration.name}] ${level}: ${message}`);
      },
    );
    res.writeHead(response.status, { ...response.headers, ...(response.cookies.length > 0 && { 'set-cookie': [...response.cookies] }) }).end(response.body);
    log(`${method} ${path} -> ${registration.name} ${response.status} (${Date.now() - started} ms)`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${options.host ?? '127.0.0.1'}:${port}`, stop: () => close(server) };
}

function reply(res: ServerResponse, status: number): void {
  res.writeHead(status).end();
}

// Node keeps only the first Authorization header; the Functions host joins repeats, so the app can refuse two credentials.
function joinHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values.join(', ');
  }
  return headers;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => { resolve(); }));
}
