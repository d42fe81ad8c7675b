import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler } from '@azure/functions';

export interface ServedHandler {
  /** The full URL the handler answers on, e.g. http://127.0.0.1:5123/api/.well-known/jwks.json. */
  readonly url: string;
  /** How many requests it answered. */
  readonly hits: () => number;
  stop(): Promise<void>;
}

/**
 * Serves one Functions HTTP handler on 127.0.0.1 at `/api/<route>`, converting to and
 * from the @azure/functions request and response types, so that an HTTP client (jose's
 * createRemoteJWKSet in the sample backend) can fetch from it for real.
 */
export async function serveHttpHandler(route: string, handler: HttpHandler): Promise<ServedHandler> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== `/api/${route}`) {
      res.writeHead(404).end();
      return;
    }
    const request = new HttpRequest({
      method: req.method ?? 'GET',
      url: `http://127.0.0.1${req.url ?? '/'}`,
      headers: Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
    });
    const context = new InvocationContext({ invocationId: randomUUID(), functionName: 'served', options: { trigger: { type: 'httpTrigger', name: 'httpTrigger', route } } });
    void (async () => {
      try {
        const result = await handler(request, context);
        const response = result instanceof HttpResponse ? result : new HttpResponse(result);
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(body);
      } catch {
        res.writeHead(500).end();
      }
    })();
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/${route}`,
    hits: () => hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
