import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the managed identity endpoint App Service and Azure Functions
 * give an app (IDENTITY_ENDPOINT + IDENTITY_HEADER, API version 2019-08-01): what
 * ManagedIdentityCredential calls to get a token. It issues opaque tokens and records
 * who asked for what, so a test can check that ingestion received exactly that token.
 * Plain http on 127.0.0.1, as the real endpoint is plain http on localhost.
 */
export interface TokenRequestRecord {
  readonly resource: string | undefined;
  /** The user-assigned identity asked for (`client_id`), if any. */
  readonly clientId: string | undefined;
  readonly apiVersion: string | undefined;
  /** Whether X-IDENTITY-HEADER carried the secret; requests without it are refused with 401. */
  readonly authorized: boolean;
  /** The token issued, if one was. */
  readonly token: string | undefined;
}

export class ManagedIdentityStandin {
  readonly requests: TokenRequestRecord[] = [];
  /** The secret every caller must present, as App Service's IDENTITY_HEADER. */
  readonly identityHeader = randomBytes(16).toString('hex');
  private readonly server: Server;
  private port = 0;

  private constructor(private readonly lifetimeSeconds: number) {
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
  }

  static async start(options: { lifetimeSeconds?: number } = {}): Promise<ManagedIdentityStandin> {
    const standin = new ManagedIdentityStandin(options.lifetimeSeconds ?? 3600);
    await new Promise<void>((resolve) => standin.server.listen(0, '127.0.0.1', resolve));
    standin.port = (standin.server.address() as AddressInfo).port;
    return standin;
  }

  /** The environment ManagedIdentityCredential reads to find this endpoint. */
  get environment(): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string } {
    return { IDENTITY_ENDPOINT: `http://127.0.0.1:${this.port}/msi/token`, IDENTITY_HEADER: this.identityHeader };
  }

  /** Tokens issued so far. */
  get issuedTokens(): string[] {
    return this.requests.flatMap((request) => (request.token ? [request.token] : []));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => { resolve(); }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname !== '/msi/token' || req.method !== 'GET') {
      json(404, { error: 'not_found' });
      return;
    }
    const resource = url.searchParams.get('resource') ?? undefined;
    const clientId = url.searchParams.get('client_id') ?? undefined;
    const apiVersion = url.searchParams.get('api-version') ?? undefined;
    const authorized = req.headers['x-identity-header'] === this.identityHeader;
    if (!authorized || !resource) {
      this.requests.push({ resource, clientId, apiVersion, authorized, token: undefined });
      json(authorized ? 400 : 401, { error: authorized ? 'invalid_request' : 'unauthorized', error_description: authorized ? 'resource is required' : 'X-IDENTITY-HEADER is missing or wrong' });
      return;
    }
    const token = `mi-standin.${randomBytes(24).toString('base64url')}`;
    this.requests.push({ resource, clientId, apiVersion, authorized, token });
    json(200, {
      access_token: token,
      expires_on: String(Math.floor(Date.now() / 1000) + this.lifetimeSeconds),
      resource,
      token_type: 'Bearer',
      client_id: clientId ?? '00000000-0000-0000-0000-000000000000',
    });
  }
}
