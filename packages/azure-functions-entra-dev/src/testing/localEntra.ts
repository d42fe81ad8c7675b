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
 * chosen claim, role, scope (a delegated token), lifetime, not-before or version is signed
 * here with the stand-in's current signing key, so the app's verifier, fetching the
 * stand-in's published keys, accepts it exactly as it would a token from the endpoint.
 *
 * Dev only: imports nothing from the app (lib/, functions/); only the stand-in, dev/tls,
 * node built-ins, @azure/functions and azure-functions-entra-auth's public name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, InvocationContext, type HttpHandler } from '@azure/functions';
import { BACKDATE_SECONDS, appOnlyAccessTokenClaims, signAccessToken, tokenVersionFor, type IssuedTokenVersion } from '../standin/accessTokens';
import { b2cIssuer, externalIdIssuer } from '../standin/authorityDocuments';
import { defaultRegistryPath, signingKeyFile } from '../standin/devPaths';
import { Registry, type ApiRegistration, type ClientRegistration } from '../standin/registry';
import { startEntraStandin, type EntraStandin } from '../standin/server';
import { SigningKeyStore } from '../standin/signingKeys';
import { createCaTrustingFetch } from '../tls/caTrustingFetch';

export interface LocalEntraOptions {
  /** The registrations: a Registry, or registry JSON (the shape of local.entra.json). Default: the app's local.entra.json. */
  readonly registry?: Registry | object;
  /** Where TLS material and signing keys live; kept on stop. Default: a temporary directory removed on stop. */
  readonly stateDir?: string;
}

export interface TokenOptions {
  /** The API's name in the registry, e.g. 'orders-api'. */
  readonly api: string;
  /** The client app's name in the registry (default 'writer' for app tokens, 'reader' for delegated ones). */
  readonly client?: string;
  /** 'app' (client_credentials, judged on roles; the default) or 'delegated' (a user through the client, judged on scp). */
  readonly kind?: 'app' | 'delegated';
  /** The `roles` claim; default the client's registered roles on the API (app), none (delegated). [] leaves the claim off. */
  readonly roles?: readonly string[];
  /** The `scp` claim, space-joined: required for delegated tokens; none on app tokens unless given. */
  readonly scopes?: readonly string[];
  /** Extra or replacing claims, applied last (`undefined` removes a claim). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The kind of authority whose token this is (issue 22): the stand-in's tenant as an
   * External ID tenant (iss https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0) or as a B2C
   * tenant (iss https://{name}.b2clogin.com/{tenant-id}/v2.0/, no tid, ver 1.0, tfp);
   * default the workforce tenant. Verify them with authorities whose discoveryBase is
   * `{url}/_ciam` and `{url}/_b2c`.
   */
  readonly authority?: 'workforce' | 'externalId' | 'b2c';
  /** B2C: the user flow in tfp; default B2C_1_signupsignin. */
  readonly userFlow?: string;
  /** Seconds from now to `exp` (default 3599); negative gives a token that has already expired. */
  readonly lifetimeSeconds?: number;
  /** The token version; default the API registration's requestedAccessTokenVersion. */
  readonly version?: IssuedTokenVersion;
  /** `nbf` and `iat`, seconds since the epoch; default now − 300 s as Entra back-dates (or an hour before exp when exp is earlier). */
  readonly notBefore?: number;
  /** For delegated tokens: the user's object ID (`oid`; `sub` is derived from it and the client, pairwise as in Entra); default TEST_USER's. */
  readonly userObjectId?: string;
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
  /** An access token for `options.api`. */
  token(options: TokenOptions): Promise<string>;
  /** Stops the stand-in and removes the temporary state directory (if it made one). */
  stop(): Promise<void>;
}

/** A fixed test user for delegated tokens. */
export const TEST_USER = Object.freeze({
  objectId: 'de700000-0000-4000-8000-000000100001',
  name: 'Test User',
  upn: 'test.user@entra-standin-dev.onmicrosoft.com',
});

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
    const target = api(request.api);
    const kind = request.kind ?? 'app';
    const caller = client(request.client ?? (kind === 'app' ? 'writer' : 'reader'));
    const shapedFor = request.authority ?? 'workforce';
    const plain =
      kind === 'app' && shapedFor === 'workforce' && [request.roles, request.scopes, request.claims, request.lifetimeSeconds, request.version, request.notBefore].every((value) => value === undefined);
    if (plain) {
      const response = await fetch(`${standin.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.secret, scope: `${target.appIdUri}/.default` }),
      });
      const answer = (await response.json()) as { access_token?: unknown; error?: unknown; error_description?: unknown };
      if (response.status !== 200 || typeof answer.access_token !== 'string') throw new Error(`the stand-in's token endpoint refused ${caller.name} for ${target.name}: HTTP ${response.status} ${String(answer.error)}: ${String(answer.error_description)}`);
      return answer.access_token;
    }
    if (kind === 'delegated' && (request.scopes === undefined || request.scopes.length === 0) && request.claims?.scp === undefined) {
      throw new TypeError('a delegated token needs scopes (its scp claim), e.g. { kind: "delegated", scopes: ["Orders.Read"] }');
    }
    // External ID and B2C tokens are shaped from a v2 token (azp, aud the client ID); B2C's then says ver 1.0.
    const version = shapedFor === 'workforce' ? (request.version ?? tokenVersionFor(target)) : '2.0';
    const shaped: ApiRegistration = { ...target, requestedAccessTokenVersion: version === '1.0' ? 1 : 2 };
    const nowSeconds = Math.floor(Date.now() / 1000);
    const claims = appOnlyAccessTokenClaims({
      origin: standin.url,
      tenant: registry.tenant,
      api: shaped,
      client: caller,
      roles: request.roles ?? (kind === 'app' ? registry.rolesOf(caller, target) : []),
      resource: target.appIdUri,
      nowSeconds,
      lifetimeSeconds: request.lifetimeSeconds ?? 3599,
    });
    const exp = claims.exp as number;
    const notBefore = request.notBefore ?? Math.min(nowSeconds - BACKDATE_SECONDS, exp - 3600);
    claims.iat = notBefore;
    claims.nbf = notBefore;
    if (kind === 'delegated') {
      const oid = request.userObjectId ?? TEST_USER.objectId;
      delete claims.idtyp;
      Object.assign(claims, { oid, sub: createHash('sha256').update(`${oid}:${caller.clientId}`).digest('base64url'), name: TEST_USER.name, scp: (request.scopes ?? []).join(' ') });
      if (version === '2.0') Object.assign(claims, { preferred_username: TEST_USER.upn, azpacr: '0' });
      else Object.assign(claims, { upn: TEST_USER.upn, unique_name: TEST_USER.upn, appidacr: '0', amr: ['pwd'] });
    } else if (request.scopes !== undefined && request.scopes.length > 0) {
      claims.scp = request.scopes.join(' ');
    }
    if (shapedFor === 'externalId') claims.iss = externalIdIssuer(registry.tenant.id);
    if (shapedFor === 'b2c') {
      Object.assign(claims, { iss: b2cIssuer(registry), ver: '1.0', tfp: request.userFlow ?? 'B2C_1_signupsignin' });
      // B2C access tokens carry none of these Entra claims.
      delete claims.tid;
      delete claims.idtyp;
      delete claims.rh;
      delete claims.aio;
      delete claims.azpacr;
      delete claims.preferred_username;
    }
    const chosen = Object.entries({ ...claims, ...request.claims }).filter(([, value]) => value !== undefined);
    // Re-read the key file each time: after standin.rotateKeys() the new key signs, as the stand-in's endpoint does.
    const keys = await SigningKeyStore.open({ file: signingKeyFile(stateDir) });
    return signAccessToken(Object.fromEntries(chosen), keys.active, version);
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
    token,
    stop: () =>
      (stopping ??= (async () => {
        await standin.stop();
        if (ownDir !== undefined) await rm(ownDir, { recursive: true, force: true });
      })()),
  };
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

function fail(message: string): never {
  throw new Error(message);
}
