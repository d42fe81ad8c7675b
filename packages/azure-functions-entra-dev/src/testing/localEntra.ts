/**
 * Test helpers for an app's own tests (jest, vitest or node:test alike): an in-process
 * Entra stand-in, tokens with the claims a test chooses, and a direct call of a protected
 * handler with the HttpRequest and InvocationContext that @azure/functions builds.
 *
 * ```ts
 * import { startLocalEntra, invoke, type LocalEntra } from '../dev/testing/localEntra';
 * let kit: LocalEntra;
 * beforeAll(async () => { kit = await startLocalEntra(); });
 * afterAll(() => kit.stop());
 * const handler = () => createEntraAuth({ env: kit.settings('orders-api'), permissions }).routeHandler(orders, handlers);
 * it('lets a writer in', async () => expect((await invoke(handler(), { method: 'GET', url: 'https://localhost/api/orders', headers: { authorization: `Bearer ${await kit.token({ api: 'orders-api', client: 'writer' })}` } })).status).toBe(200));
 * ```
 *
 * `kit.token({ api, kind: 'delegated', scopes: ['Orders.Read'] })` is a user's token;
 * `{ lifetimeSeconds: -3600 }` an expired one; `{ version: '1.0' }`, `{ roles: [...] }` and
 * `{ claims: { tid: ..., exp: undefined } }` set or remove what a test needs. Over HTTP,
 * give the app process `kit.settings(apiName)` as its environment.
 *
 * A registered client's plain token comes from the stand-in's real token endpoint; any
 * chosen claim, role, scope (a delegated token), lifetime, not-before, version or
 * authority kind is shaped and signed by the stand-in with that authority's current key,
 * so the app's verifier, fetching the stand-in's published keys, accepts it exactly as it
 * would a token from the endpoint.
 *
 * Dev only: imports nothing from the app (lib/, functions/); only the stand-in, dev/tls,
 * node built-ins, @azure/functions and azure-functions-entra-auth's public name.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler } from '@azure/functions';
import { B2C_PREFIX, CIAM_PREFIX, tenantName } from '../standin/authorityDocuments';
import { defaultRegistryPath } from '../standin/devPaths';
import { Registry, type ApiRegistration, type ClientRegistration } from '../standin/registry';
import { requestClientCredentialsToken } from '../standin/obtainAccessToken';
import { startEntraStandin, type EntraStandin } from '../standin/server';
import { DEFAULT_USER_FLOW, isPlainRequest, type TokenOptions } from '../standin/tokenOptions';
import { createCaTrustingFetch } from '../tls/caTrustingFetch';

export interface LocalEntraOptions {
  /** The registrations: a Registry, or registry JSON (the shape of local.entra.json). Default: the app's local.entra.json. */
  readonly registry?: Registry | object;
  /** Where TLS material and signing keys live; kept on stop. Default: a temporary directory removed on stop. */
  readonly stateDir?: string;
}

export interface LocalEntra {
  /** The stand-in's origin, e.g. https://127.0.0.1:40123 (AUTH_INSTANCE). */
  readonly url: string;
  readonly tenantId: string;
  /** The CA that signed the stand-in's TLS certificate, PEM, and its file (AUTH_INSTANCE_CA_FILE, NODE_EXTRA_CA_CERTS). */
  readonly caPem: string;
  readonly caPath: string;
  readonly registry: Registry;
  readonly standin: EntraStandin;
  /** The AUTH_* app settings an app protecting `apiName` needs to trust this stand-in. */
  settings(apiName: string): Record<string, string>;
  /**
   * The settings for an app trusting the stand-in as three authorities in AUTH_AUTHORITIES:
   * `employees` (workforce), `customers` (External ID, /_ciam) and `legacyCustomers` (B2C,
   * /_b2c, the user flows given; default B2C_1_signupsignin).
   */
  authoritySettings(apiName: string, options?: { readonly userFlows?: readonly string[] }): Record<string, string>;
  /** An access token for `options.api`. */
  token(options: TokenOptions): Promise<string>;
  /** Stops the stand-in and removes the temporary state directory (if it made one). */
  stop(): Promise<void>;
}

/** Starts an in-process stand-in on a free port. */
export async function startLocalEntra(options: LocalEntraOptions = {}): Promise<LocalEntra> {
  const registry = options.registry === undefined ? await Registry.load(defaultRegistryPath()) : options.registry instanceof Registry ? options.registry : Registry.parse(options.registry, 'startLocalEntra registry');
  const ownDir = options.stateDir === undefined ? await mkdtemp(join(tmpdir(), 'local-entra-')) : undefined;
  const stateDir = options.stateDir ?? join(ownDir ?? '', 'state');
  let standin: EntraStandin;
  try {
    standin = await startEntraStandin({ stateDir, port: 0, registry });
  } catch (error) {
    if (ownDir !== undefined) await rm(ownDir, { recursive: true, force: true });
    throw error;
  }
  const fetch = createCaTrustingFetch(standin.caCertPem);
  const api = (name: string): ApiRegistration => registry.apiByName(name) ?? fail(`no API named ${name} in the registry; known: ${registry.apis.map((a) => a.name).join(', ')}`);
  const client = (name: string): ClientRegistration => registry.clientByName(name) ?? fail(`no client named ${name} in the registry; known: ${registry.clients.map((c) => c.name).join(', ')}`);

  async function token(request: TokenOptions): Promise<string> {
    if (!isPlainRequest(request)) return standin.issueToken(request);
    const target = api(request.api);
    const caller = client(request.client ?? 'writer');
    const { accessToken } = await requestClientCredentialsToken({ fetch, authority: standin.authority, clientId: caller.clientId, clientSecret: caller.secret, scope: `${target.appIdUri}/.default` });
    return accessToken;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: standin.url,
    tenantId: standin.tenantId,
    caPem: standin.caCertPem,
    caPath: standin.caPath,
    registry,
    standin,
    settings(apiName) {
      const target = api(apiName);
      return { AUTH_TENANT_ID: standin.tenantId, AUTH_CLIENT_ID: target.clientId, AUTH_APP_ID_URI: target.appIdUri, AUTH_INSTANCE: standin.url, AUTH_INSTANCE_CA_FILE: standin.caPath };
    },
    authoritySettings(apiName, options = {}) {
      return localAuthoritySettings({ url: standin.url, caPath: standin.caPath, registry, api: api(apiName), userFlows: options.userFlows ?? [DEFAULT_USER_FLOW] });
    },
    token,
    stop: () =>
      (stopping ??= (async () => {
        await standin.stop();
        if (ownDir !== undefined) await rm(ownDir, { recursive: true, force: true });
      })()),
  };
}

/**
 * AUTH_AUTHORITIES for an app trusting one stand-in as three authorities: its workforce
 * tenant (`employees`), its External ID tenant (`customers`) and its B2C tenant
 * (`legacyCustomers`), each with the registry's tenant of that kind (what an app's own
 * `npm start` or demo can write too).
 */
export function localAuthoritySettings(input: {
  readonly url: string;
  readonly caPath: string;
  readonly registry: Registry;
  readonly api: Pick<ApiRegistration, 'clientId' | 'appIdUri'>;
  readonly userFlows: readonly string[];
}): Record<string, string> {
  const { api, registry } = input;
  const { externalIdTenant, b2cTenant } = registry;
  const authorities = [
    { name: 'employees', kind: 'workforce', tenantId: registry.tenant.id, clientId: api.clientId, appIdUri: api.appIdUri, instance: input.url },
    { name: 'customers', kind: 'externalId', tenantId: externalIdTenant.id, tenantName: tenantName(externalIdTenant), clientId: api.clientId, appIdUri: api.appIdUri, discoveryBase: `${input.url}${CIAM_PREFIX}` },
    { name: 'legacyCustomers', kind: 'b2c', tenantId: b2cTenant.id, tenantName: tenantName(b2cTenant), clientId: api.clientId, userFlows: [...input.userFlows], discoveryBase: `${input.url}${B2C_PREFIX}` },
  ];
  return { AUTH_AUTHORITIES: JSON.stringify(authorities), AUTH_INSTANCE_CA_FILE: input.caPath };
}

export interface InvokeRequest {
  readonly method: string;
  /** Absolute, e.g. https://localhost/api/orders/42?x=1 (the query is read from it). */
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** A string as is; anything else is sent as JSON (with content-type application/json unless given). */
  readonly body?: unknown;
  /** Route parameters, as the host would bind them from the route template. */
  readonly params?: Record<string, string>;
  /** The function's route template (what requestSite reads); default the URL's path after /api/. */
  readonly route?: string;
  readonly functionName?: string;
}

export interface InvokeResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else the text (undefined when empty). */
  readonly body: unknown;
  /** What the handler logged through the context. */
  readonly logs: readonly string[];
}

/** Calls an HttpHandler directly, as the Functions host would, and reads its response. */
export async function invoke(handler: HttpHandler, request: InvokeRequest): Promise<InvokeResult> {
  const url = new URL(request.url);
  const headers = { ...request.headers };
  let body: string | undefined;
  if (typeof request.body === 'string') body = request.body;
  else if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const httpRequest = new HttpRequest({
    method: request.method,
    url: request.url,
    headers,
    query: Object.fromEntries(url.searchParams),
    params: request.params ?? {},
    ...(body !== undefined && { body: { string: body } }),
  });
  const route = request.route ?? url.pathname.replace(/^\/api\//, '');
  const functionName = request.functionName ?? (route.split('/')[0] || 'function');
  const logs: string[] = [];
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    options: { trigger: { type: 'httpTrigger', name: 'request', route, methods: [request.method.toUpperCase() as 'GET'], authLevel: 'anonymous' }, return: { type: 'http', name: '$return' }, extraInputs: [], extraOutputs: [] },
  });
  const returned = await handler(httpRequest, context);
  const response = returned instanceof HttpResponse ? returned : new HttpResponse(returned);
  const text = await response.text();
  const responseHeaders = Object.fromEntries(response.headers);
  const isJson = /\bjson\b/i.test(responseHeaders['content-type'] ?? '');
  return { status: response.status, headers: responseHeaders, body: text === '' ? undefined : isJson ? (JSON.parse(text) as unknown) : text, logs };
}

export { TEST_USER, type TokenOptions } from '../standin/tokenOptions';

function fail(message: string): never {
  throw new Error(message);
}
