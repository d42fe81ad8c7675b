import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import type { FetchLike } from '../../src/net/fetchJson';

/**
 * A test double for Entra's discovery and key endpoints, over real HTTP on 127.0.0.1,
 * with switchable faults and a request log. (The full local Entra stand-in with a
 * token endpoint lives in dev/; this one only serves what the verifier fetches.)
 */
export type Fault =
  | 'none'
  | 'down' // HTTP 500
  | 'refused' // connection closed without a response
  | 'slow' // answers after `slowMs`
  | 'html' // 200 with an HTML error page
  | 'garbage' // 200, JSON content type, not JSON
  | 'not-a-key-set' // 200, JSON, wrong shape
  | 'huge' // 200, a multi-megabyte body without Content-Length
  | 'redirect-external' // 302 to another origin
  | 'redirect-same'; // 302 to the same path with ?moved, which is then served

export interface FakeEntraOptions {
  /** The origin written into documents (defaults to the server's own). */
  readonly publicOrigin?: string;
}

export class FakeEntraMetadataServer {
  readonly requests: string[] = [];
  keysFault: Fault = 'none';
  /** When set, the v2 key-set endpoints answer with this fault instead of `keysFault` (v1 ones keep theirs). */
  v2KeysFault: Fault | undefined;
  discoveryFault: Fault = 'none';
  slowMs = 2_000;
  private keys: JWK[] = [];
  private v2Keys: JWK[] | undefined;
  private server: Server | undefined;
  private origin = '';

  constructor(private readonly options: FakeEntraOptions = {}) {}

  get url(): string {
    return this.origin;
  }

  /** The origin that documents name. */
  get publicOrigin(): string {
    return this.options.publicOrigin ?? this.origin;
  }

  /** The published keys; `v2Keys`, when given, are what the v2 key sets publish instead (a key in one set only, or bound to its own issuer). */
  setKeys(keys: readonly JWK[], v2Keys?: readonly JWK[]): void {
    this.keys = [...keys];
    this.v2Keys = v2Keys && [...v2Keys];
  }

  count(pathPart: string): number {
    return this.requests.filter((path) => path.includes(pathPart)).length;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
    await new Promise<void>((resolve) => {
      this.server?.listen(0, '127.0.0.1', resolve);
    });
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    this.server = undefined;
  }

  /**
   * A fetch that sends requests for `publicOrigin` to this server, so that tests can
   * use real authority hosts (sovereign clouds included) over real local HTTP.
   */
  fetchFor(publicOrigin: string): FetchLike {
    return (input, init) => fetch(input.startsWith(publicOrigin) ? this.origin + input.slice(publicOrigin.length) : input, init);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push(path);
    const match = /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration(\?moved)?$/.exec(path);
    if (match) {
      const [, tenant = '', v2] = match;
      this.respond(res, this.discoveryFault, path, this.discovery(tenant, v2 !== undefined));
      return;
    }
    const keys = /^\/([^/]+)\/discovery\/(v2\.0\/)?keys(\?moved)?$/.exec(path);
    if (keys) {
      const [, tenant = '', v2] = keys;
      this.respond(res, (v2 !== undefined && this.v2KeysFault) || this.keysFault, path, this.keySet(tenant, v2 !== undefined));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
  }

  private discovery(tenant: string, v2: boolean): object {
    const issuerTenant = tenant === 'common' || tenant === 'organizations' ? '{tenantid}' : tenant;
    return v2
      ? {
          issuer: `${this.publicOrigin}/${issuerTenant}/v2.0`,
          jwks_uri: `${this.publicOrigin}/${tenant}/discovery/v2.0/keys`,
          token_endpoint: `${this.publicOrigin}/${tenant}/oauth2/v2.0/token`,
          id_token_signing_alg_values_supported: ['RS256'],
        }
      : {
          issuer: `https://sts.windows.net/${issuerTenant}/`,
          jwks_uri: `${this.publicOrigin}/${tenant}/discovery/keys`,
          token_endpoint: `${this.publicOrigin}/${tenant}/oauth2/token`,
        };
  }

  private keySet(tenant: string, v2: boolean): object {
    const issuerTenant = tenant === 'common' || tenant === 'organizations' ? '{tenantid}' : tenant;
    return { keys: (v2 ? (this.v2Keys ?? this.keys) : this.keys).map((key) => (v2 ? { issuer: `${this.publicOrigin}/${issuerTenant}/v2.0`, ...key } : key)) };
  }

  private respond(res: ServerResponse, fault: Fault, path: string, body: object): void {
    const json = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(text);
    switch (fault) {
      case 'none':
        return void json(200, JSON.stringify(body));
      case 'down':
        return void json(500, '{"error":"server_error"}');
      case 'refused':
        return void res.socket?.destroy();
      case 'slow':
        return void setTimeout(() => json(200, JSON.stringify(body)), this.slowMs).unref();
      case 'html':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to continue</body></html>');
      case 'garbage':
        return void json(200, '{"keys": [ {"kty": "RSA", ');
      case 'not-a-key-set':
        return void json(200, '{"value": 42}');
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = `{"keys":[${'{"kty":"RSA"},'.repeat(10_000)}`;
        for (let i = 0; i < 40; i++) res.write(chunk);
        return void res.end('{}]}');
      }
      case 'redirect-external':
        return void res.writeHead(302, { location: 'http://127.0.0.2:9/keys' }).end();
      case 'redirect-same':
        if (path.endsWith('?moved')) return void json(200, JSON.stringify(body));
        return void res.writeHead(302, { location: `${path}?moved` }).end();
    }
  }
}
