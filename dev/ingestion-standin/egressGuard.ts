import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 that forwards nothing: every CONNECT or proxied request
 * is answered 403 and recorded. Child processes running the Azure Monitor SDK get
 * HTTPS_PROXY/HTTP_PROXY pointing here (and NO_PROXY for loopback), so calls the SDK
 * makes on its own (OneSettings, statsbeat) stay on this machine and show up here
 * instead of reaching the internet. (Node's built-in fetch ignores these variables;
 * the app's own calls go to loopback stand-ins anyway.)
 */
export class EgressGuard {
  /** `host:port` of each CONNECT, or the absolute URL of each proxied request, in order. */
  readonly attempts: string[] = [];
  private readonly server: Server;
  private port = 0;

  private constructor() {
    this.server = createServer((req, res) => {
      this.attempts.push(req.url ?? '');
      res.writeHead(403, { 'content-type': 'text/plain' }).end('egress blocked by the local egress guard\n');
    });
    this.server.on('connect', (req, socket) => {
      this.attempts.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
  }

  static async start(): Promise<EgressGuard> {
    const guard = new EgressGuard();
    await new Promise<void>((resolve) => guard.server.listen(0, '127.0.0.1', resolve));
    guard.port = (guard.server.address() as AddressInfo).port;
    return guard;
  }

  /** Environment for a child process: proxy everything here except loopback. */
  get environment(): Record<string, string> {
    const proxy = `http://127.0.0.1:${this.port}`;
    return { HTTPS_PROXY: proxy, HTTP_PROXY: proxy, https_proxy: proxy, http_proxy: proxy, NO_PROXY: '127.0.0.1,localhost,::1', no_proxy: '127.0.0.1,localhost,::1' };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
  }
}
