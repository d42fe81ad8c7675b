/**
 * The demo's tour, run in a child process started with NODE_EXTRA_CA_CERTS (so the
 * real @azure/identity client trusts the local Entra stand-in): gets tokens for the
 * reader, writer and norole apps and calls the Orders API, one row per call.
 */
import { ClientSecretCredential } from '@azure/identity';
import { ConfidentialClientApplication } from '@azure/msal-node';

export interface TourInput {
  readonly authorityHost: string;
  /** The stand-in's External ID tenant (`{stand-in}/_ciam`): where customer daemons get tokens. */
  readonly customerAuthorityHost: string;
  /** The stand-in's External ID tenant: a tenant of its own. */
  readonly customerTenantId: string;
  /** The stand-in itself: a B2C customer's token comes from its dev-only /_standin/tokens (it signs nobody in). */
  readonly standinUrl: string;
  readonly tenantId: string;
  readonly apiUrl: string;
  readonly scope: string;
  /** Another API's scope, to show a token for the wrong audience. */
  readonly otherScope: string;
  readonly clients: Readonly<Record<'reader' | 'writer' | 'norole', { readonly clientId: string; readonly secret: string }>>;
}

export interface TourRow {
  readonly caller: string;
  readonly request: string;
  readonly status: number;
  readonly reason: string;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as TourInput;
  const token = async (client: keyof TourInput['clients'], scope = input.scope) => {
    const { clientId, secret } = input.clients[client];
    const credential = new ClientSecretCredential(input.tenantId, clientId, secret, {
      authorityHost: input.authorityHost,
      // MSAL would otherwise ask login.microsoftonline.com whether this authority is known.
      disableInstanceDiscovery: true,
    });
    const accessToken = await credential.getToken(scope);
    return accessToken.token;
  };
  const rows: TourRow[] = [];
  const call = async (caller: string, method: string, path: string, bearer?: string, body?: unknown, ifMatch?: string) => {
    const response = await fetch(`${input.apiUrl}${path}`, {
      method,
      headers: {
        ...(bearer !== undefined && { authorization: `Bearer ${bearer}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(ifMatch !== undefined && { 'if-match': ifMatch }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as { code?: string; id?: string; value?: unknown[]; authority?: string; userFlow?: string }) : {};
    const who = json.authority === undefined ? undefined : `authority ${json.authority}${json.userFlow === undefined ? '' : `, user flow ${json.userFlow}`}`;
    const reason = json.code ?? who ?? (json.value ? `${json.value.length} order(s)` : json.id ? `order ${json.id.slice(0, 8)}…` : response.statusText);
    const request = `${method} ${path.replace(/[0-9a-f-]{36}/, '{id}')}${ifMatch === undefined ? '' : ' If-Match'}`;
    rows.push({ caller, request, status: response.status, reason });
    return { ...json, etag: response.headers.get('etag') ?? undefined };
  };

  const [reader, writer, norole, otherApi] = await Promise.all([token('reader'), token('writer'), token('norole'), token('writer', input.otherScope)]);
  await call('anonymous', 'GET', '/api/health');
  await call('no token', 'GET', '/api/orders');
  await call('reader (Orders.Read)', 'GET', '/api/orders', reader);
  await call('reader (Orders.Read)', 'POST', '/api/orders', reader, { item: 'widget', quantity: 1 });
  const created = await call('writer (Orders.ReadWrite)', 'POST', '/api/orders', writer, { item: 'widget', quantity: 2 });
  const id = created.id ?? '00000000-0000-0000-0000-000000000000';
  await call('reader (Orders.Read)', 'GET', `/api/orders/${id}`, reader);
  await call('writer (Orders.ReadWrite)', 'PUT', `/api/orders/${id}`, writer, { item: 'widget', quantity: 5 });
  await call('writer (Orders.ReadWrite)', 'PUT', `/api/orders/${id}`, writer, { item: 'widget', quantity: 5 }, created.etag);
  await call('writer, stale ETag', 'PUT', `/api/orders/${id}`, writer, { item: 'widget', quantity: 6 }, created.etag);
  await call('writer (Orders.ReadWrite)', 'POST', '/api/orders', writer, { item: 'widget', quantity: 'two' });
  await call('norole (no role)', 'GET', '/api/orders', norole);
  await call('writer, token for another API', 'GET', '/api/orders', otherApi);
  await call('writer, tampered token', 'GET', '/api/orders', `${writer.slice(0, -4)}AAAA`);
  await call('reader (Orders.Read)', 'GET', '/api/tenants/00000000-0000-4000-8000-000000000000/orders', reader);
  await call('writer (Orders.ReadWrite)', 'DELETE', `/api/orders/${id}`, writer);
  await call('reader (Orders.Read)', 'GET', '/api/me', reader);

  // Customers: the same API trusts the External ID tenant and a B2C user flow too (AUTH_AUTHORITIES).
  const customerDaemon = await externalIdDaemonToken(input);
  await call('customer daemon (External ID)', 'GET', '/api/me', customerDaemon);
  await call('customer daemon (External ID)', 'GET', '/api/orders', customerDaemon);
  const legacyCustomer = await b2cUserToken(input);
  await call('customer user (B2C user flow)', 'GET', '/api/me', legacyCustomer);
  await call('customer user (B2C user flow)', 'GET', '/api/orders', legacyCustomer);
  process.stdout.write(`${JSON.stringify({ rows })}\n`);
}

/**
 * A daemon of the External ID tenant, with msal-node. MSAL checks that a discovery
 * document's issuer is on the authority's host; the stand-in's External ID document names
 * the real ciamlogin issuer (the one the API routes by) from a loopback host, so the client
 * is handed that document (authorityMetadata) instead of fetching and checking it.
 */
async function externalIdDaemonToken(input: TourInput): Promise<string> {
  const authority = `${input.customerAuthorityHost}/${input.customerTenantId}`;
  const metadata = await (await fetch(`${authority}/v2.0/.well-known/openid-configuration`)).text();
  const { clientId, secret } = input.clients.writer;
  const client = new ConfidentialClientApplication({
    auth: { clientId, clientSecret: secret, authority, knownAuthorities: [new URL(authority).host], authorityMetadata: metadata },
  });
  const result = await client.acquireTokenByClientCredential({ scopes: [input.scope] });
  if (!result) throw new Error('msal-node returned no token for the External ID daemon');
  return result.accessToken;
}

/** A B2C user flow signs users in interactively; the stand-in mints the token such a sign-in returns. */
async function b2cUserToken(input: TourInput): Promise<string> {
  const response = await fetch(`${input.standinUrl}/_standin/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ api: 'orders-api', client: 'reader', kind: 'delegated', scopes: ['Orders.Read'], authority: 'b2c' }),
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (body.access_token === undefined) throw new Error(`the stand-in refused a B2C token: ${body.error_description ?? String(response.status)}`);
  return body.access_token;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo tour: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
