import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { createCaTrustingFetch, type CaTrustingFetch } from '../tls/caTrustingFetch';
import type { PortHolder } from '../process/portHolder';
import { holderOf, portInUseMessage } from '../process/portInUse';
import { DEFAULT_STANDIN_PORT, defaultRegistryPath } from './devPaths';
import { Registry } from './registry';
import { StandinStartError, STANDIN_HOST, startEntraStandin } from './server';
import { listRunningStandins, type StandinRecord } from './standinState';
import { CIAM_PREFIX } from './authorityDocuments';
import { isPlainRequest, type TokenOptions } from './tokenOptions';

/** The token endpoint refused the request; `error` and `aadsts` are Entra's. */
export class TokenRequestError extends Error {
  constructor(
    readonly error: string,
    readonly aadsts: number | undefined,
    readonly status: number,
    description: string,
  ) {
    super(`token request failed (HTTP ${status}, ${error}): ${description.split(/\r?\n/)[0] ?? ''}`);
    this.name = 'TokenRequestError';
  }
}

const successBody = z.object({ token_type: z.string(), expires_in: z.number(), access_token: z.string() });
const errorBody = z.object({ error: z.string(), error_description: z.string().default(''), error_codes: z.array(z.number()).optional() });

export interface ClientCredentialsRequest {
  readonly fetch: CaTrustingFetch;
  /** `{instance}/{tenant}`. */
  readonly authority: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** `{App ID URI}/.default`. */
  readonly scope: string;
}

/** POSTs a client_credentials request with the secret in the form body, as a daemon app would. */
export async function requestClientCredentialsToken(request: ClientCredentialsRequest): Promise<{ accessToken: string; expiresIn: number }> {
  const response = await request.fetch(`${request.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: request.clientId, client_secret: request.clientSecret, scope: request.scope }),
    signal: AbortSignal.timeout(10_000),
  });
  const json: unknown = await response.json();
  const ok = successBody.safeParse(json);
  if (response.status === 200 && ok.success) return { accessToken: ok.data.access_token, expiresIn: ok.data.expires_in };
  const failed = errorBody.safeParse(json);
  if (!failed.success) throw new TokenRequestError('unexpected_response', undefined, response.status, 'the token endpoint answered with neither a token nor an Entra error');
  throw new TokenRequestError(failed.data.error, failed.data.error_codes?.[0], response.status, failed.data.error_description);
}

/**
 * A token with chosen claims from a stand-in's dev-only `/_standin/tokens` (a user's
 * token, another authority kind's, extra claims). Claims set to undefined travel as null.
 */
export async function requestShapedToken(fetch: CaTrustingFetch, standinUrl: string, request: TokenOptions): Promise<{ accessToken: string; expiresIn: number }> {
  const claims = request.claims && Object.fromEntries(Object.entries(request.claims).map(([name, value]) => [name, value === undefined ? null : value]));
  const response = await fetch(`${standinUrl}/_standin/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...request, ...(claims && { claims }) }),
    signal: AbortSignal.timeout(10_000),
  });
  const json: unknown = await response.json();
  const ok = z.object({ access_token: z.string() }).safeParse(json);
  if (response.status === 200 && ok.success) return { accessToken: ok.data.access_token, expiresIn: request.lifetimeSeconds ?? 3599 };
  const failed = errorBody.safeParse(json);
  throw new TokenRequestError(failed.success ? failed.data.error : 'unexpected_response', undefined, response.status, failed.success ? failed.data.error_description : 'the stand-in answered with neither a token nor an error');
}

/** How the token is asked for: a daemon's client_credentials at one of the stand-in's token endpoints, or shaped by the stand-in. */
function tokenRoute(request: TokenOptions): 'workforce' | 'externalId' | 'shaped' {
  if (isPlainRequest(request)) return 'workforce';
  return isPlainRequest({ ...request, authority: 'workforce' }) && request.authority === 'externalId' ? 'externalId' : 'shaped';
}

async function requestToken(fetch: CaTrustingFetch, standinUrl: string, registry: Registry, request: TokenOptions, credentials: Omit<ClientCredentialsRequest, 'fetch' | 'authority'>) {
  switch (tokenRoute(request)) {
    case 'workforce':
      return requestClientCredentialsToken({ ...credentials, fetch, authority: `${standinUrl}/${registry.tenant.id}` });
    case 'externalId':
      return requestClientCredentialsToken({ ...credentials, fetch, authority: `${standinUrl}${CIAM_PREFIX}/${registry.externalIdTenant.id}` });
    case 'shaped':
      return requestShapedToken(fetch, standinUrl, request);
  }
}

export interface ObtainAccessTokenOptions {
  readonly stateDir: string;
  /** A client app's name in the registry. */
  readonly clientName: string;
  /** An API's name in the registry; default the first one listed. */
  readonly apiName?: string | undefined;
  readonly registryPath?: string | undefined;
  /**
   * The stand-in's port (default 7443): a running one there answers, else one is started
   * there just for this request. v2 issuers contain the port, so a stand-in on another
   * port would issue tokens the app refuses; those are never used unasked.
   */
  readonly port?: number | undefined;
  readonly openssl?: string | undefined;
  /**
   * The token's shape beyond the client's own app-only workforce token: another authority
   * kind, a user's token, chosen claims. An External ID app-only token comes from the
   * External ID tenant's own token endpoint; anything else chosen, from `/_standin/tokens`.
   */
  readonly shape?: Omit<TokenOptions, 'api' | 'client'>;
}

export interface ObtainedAccessToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  /** Whether an already running stand-in answered, or one was started in this process for the request. */
  readonly via: 'running' | 'in-process';
  readonly url: string;
  /** The running stand-in that answered (via 'running'). */
  readonly standin?: StandinRecord;
  /** Stand-ins of the same state directory running on other ports, not used. */
  readonly others: readonly StandinRecord[];
}

/** No stand-in of the state directory answers on the port, and something else holds it. */
export class StandinPortTakenError extends Error {
  readonly code = 'port_taken';

  constructor(
    readonly port: number,
    readonly stateDir: string,
    readonly others: readonly StandinRecord[],
    holder: PortHolder | undefined,
    options?: { cause?: unknown },
  ) {
    const elsewhere = others.length === 0 ? '' : ` Stand-ins of that state directory run on other ports: ${others.map((o) => `${o.url} (pid ${String(o.pid)})`).join(', ')}; --port <n> takes a token from one of them, for an app whose AUTH_INSTANCE names that port.`;
    super(
      `${portInUseMessage(`port ${String(port)}`, STANDIN_HOST, holder)}, not by a stand-in of the state directory ${stateDir} (a stand-in started with another --state-dir or DEV_STATE_DIR, or another program). ` +
        `Pass that stand-in's --state-dir, or stop what holds the port and start the stand-in (entra-dev standin) again. ` +
        `A stand-in on another port would not help: its tokens carry another issuer, which an app set up for port ${String(port)} refuses.${elsewhere}`,
      options,
    );
    this.name = 'StandinPortTakenError';
  }
}

/**
 * An access token for a registered client, obtained through a stand-in's token
 * endpoint: the one of this state directory running on the port (checked to answer),
 * else one started here just for this request on that port (keys persist, so the
 * token stays valid for the stand-in started there later).
 */
export async function obtainAccessToken(options: ObtainAccessTokenOptions): Promise<ObtainedAccessToken> {
  const registry = await Registry.load(options.registryPath ?? defaultRegistryPath());
  const client = registry.clientByName(options.clientName);
  if (!client) throw new Error(`no client named ${options.clientName} in the registry; known: ${registry.clients.map((c) => c.name).join(', ')}`);
  const api = options.apiName === undefined ? registry.apis[0] : registry.apiByName(options.apiName);
  if (!api) throw new Error(`no API named ${options.apiName ?? '(none)'} in the registry; known: ${registry.apis.map((a) => a.name).join(', ')}`);
  const credentials = { clientId: client.clientId, clientSecret: client.secret, scope: `${api.appIdUri}/.default` };
  const request: TokenOptions = { ...options.shape, api: api.name, client: client.name };

  const port = options.port ?? DEFAULT_STANDIN_PORT;
  const live = await listRunningStandins(options.stateDir);
  const running = live.find((found) => found.port === port);
  const others = live.filter((found) => found !== running);
  if (running) {
    const fetch = createCaTrustingFetch(await readFile(running.caPath, 'utf8'));
    const token = await requestToken(fetch, running.url, registry, request, credentials);
    return { ...token, via: 'running', url: running.url, standin: running, others };
  }
  const standin = await startEntraStandin({ stateDir: options.stateDir, registry, port, openssl: options.openssl }).catch(async (error: unknown) => {
    throw error instanceof StandinStartError && error.code === 'port_in_use' ? new StandinPortTakenError(port, options.stateDir, others, await holderOf(port), { cause: error }) : error;
  });
  try {
    const token = await requestToken(createCaTrustingFetch(standin.caCertPem), standin.url, registry, request, credentials);
    return { ...token, via: 'in-process', url: standin.url, others };
  } finally {
    await standin.stop();
  }
}
