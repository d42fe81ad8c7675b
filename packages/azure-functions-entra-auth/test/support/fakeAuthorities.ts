import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import type { FetchLike } from '../../src/net/fetchJson';

/**
 * Discovery documents and key sets of several authorities (workforce, External ID,
 * B2C user flows), each at its real public URL, served over real HTTP on 127.0.0.1:
 * the fetch it hands out sends https://host/path to http://127.0.0.1:port/host/path.
 * Every document is registered explicitly, so a test says exactly what each authority
 * publishes, and the request log says exactly what the verifier fetched.
 */
export class FakeAuthorities {
  readonly requests: string[] = [];
  private readonly documents = new Map<string, unknown>();
  private readonly posts = new Map<string, (form: URLSearchParams) => Promise<unknown>>();
  private server: Server | undefined;
  private origin = '';

  /** Serves `body` as JSON at the public `url`. */
  serve(url: string, body: unknown): this {
    this.documents.set(url, body);
    return this;
  }

  /** A workforce tenant's v2 and v1 documents and key sets, as Entra publishes them. */
  workforce(tenantId: string, keys: readonly JWK[], instance = 'https://login.microsoftonline.com'): this {
    const v2Issuer = `${instance}/${tenantId}/v2.0`;
    return this.serve(`${instance}/${tenantId}/v2.0/.well-known/openid-configuration`, { issuer: v2Issuer, jwks_uri: `${instance}/${tenantId}/discovery/v2.0/keys` })
      .serve(`${instance}/${tenantId}/discovery/v2.0/keys`, { keys: keys.map((key) => ({ ...key, issuer: v2Issuer })) })
      .serve(`${instance}/${tenantId}/.well-known/openid-configuration`, { issuer: `https://sts.windows.net/${tenantId}/`, jwks_uri: `${instance}/${tenantId}/discovery/keys` })
      .serve(`${instance}/${tenantId}/discovery/keys`, { keys });
  }

  /** An External ID tenant: discovery at {tenantName}.ciamlogin.com, issuer host label the tenant GUID. */
  externalId(tenantName: string, tenantId: string, keys: readonly JWK[]): this {
    const host = `https://${tenantName}.ciamlogin.com`;
    return this.serve(`${host}/${tenantId}/v2.0/.well-known/openid-configuration`, {
      issuer: `https://${tenantId}.ciamlogin.com/${tenantId}/v2.0`,
      jwks_uri: `${host}/${tenantId}/discovery/v2.0/keys`,
    }).serve(`${host}/${tenantId}/discovery/v2.0/keys`, { keys });
  }

  /** One B2C user flow: its own discovery document and key set. */
  b2cUserFlow(tenantName: string, tenantId: string, userFlow: string, keys: readonly JWK[], issuer = `https://${tenantName}.b2clogin.com/${tenantId}/v2.0/`): this {
    const base = `https://${tenantName}.b2clogin.com/${tenantName}.onmicrosoft.com/${userFlow.toLowerCase()}`;
    return this.serve(`${base}/v2.0/.well-known/openid-configuration`, { issuer, jwks_uri: `${base}/discovery/v2.0/keys` }).serve(`${base}/discovery/v2.0/keys`, { keys });
  }

  /** Answers form POSTs to the public `url` (a token endpoint) with the JSON `answer` gives. */
  onPost(url: string, answer: (form: URLSearchParams) => Promise<unknown>): this {
    this.posts.set(url, answer);
    return this;
  }

  /** How many requests asked for a URL containing `part`. */
  count(part: string): number {
    return this.requests.filter((url) => url.includes(part)).length;
  }

  /** Where the public `url` is served on 127.0.0.1. */
  localUrl(publicUrl: string): string {
    const url = new URL(publicUrl);
    return `${this.origin}/${url.host}${url.pathname}${url.search}`;
  }

  readonly fetch: FetchLike = (input, init) => fetch(this.localUrl(input), init);

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const [, host = '', ...rest] = (req.url ?? '/').split('/');
      const url = `https://${host}/${rest.join('/')}`;
      this.requests.push(url);
      // A token endpoint is named without its query (MSAL adds client-request-id and the like).
      const post = req.method === 'POST' ? this.posts.get(url.split('?')[0] ?? url) : undefined;
      if (post) {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          post(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).then(
            (answer) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer)),
            (error: unknown) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_request', error_description: String(error) })),
          );
        });
        return;
      }
      const body = this.documents.get(url);
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}
