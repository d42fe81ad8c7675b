import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureLocalTls } from '../tls/localTls';
import { DEFAULT_STANDIN_PORT, defaultRegistryPath, signingKeyFile, type StandinAuthorityKind } from './devPaths';
import {
  MULTI_TENANT_ALIASES,
  instanceDiscoveryDocument,
  keySetDocument,
  openIdConfigurationV1,
  openIdConfigurationV2,
  type MetadataTenant,
} from './discoveryDocuments';
import { entraErrorBody, problems, type EntraProblem } from './entraErrors';
import { Registry } from './registry';
import { SigningKeyStore } from './signingKeys';
import { B2C_PREFIX, CIAM_PREFIX, authorityDocument, externalIdTokenTenant } from './authorityDocuments';
import { signAccessToken } from './accessTokens';
import { readTokenRequest, shapeToken, TokenShapeError } from './shapedTokens';
import type { TokenOptions } from './tokenOptions';
import { handleTokenRequest } from './tokenEndpoint';

export interface EntraStandinOptions {
  /** TLS material goes to `<stateDir>/tls/`, signing keys to `<stateDir>/entra-standin/`. */
  readonly stateDir: string;
  /** Default 7443 (DEFAULT_STANDIN_PORT); 0 picks a free port. */
  readonly port?: number;
  /** The registrations; loaded from `registryPath` (default: the shipped registry.json) when absent. */
  readonly registry?: Registry;
  readonly registryPath?: string;
  readonly openssl?: string | undefined;
  /** Milliseconds since the epoch; stamps tokens and errors. */
  readonly now?: () => number;
  /** Access-token lifetime; Entra's client_credentials tokens last about an hour. */
  readonly tokenLifetimeSeconds?: number;
  /** One line per request (method, path, status, client); never secrets or tokens. */
  readonly log?: (line: string) => void;
}

export interface KeyRotation {
  /** Whose keys rotated. */
  readonly authority: StandinAuthorityKind;
  /** The kid that signs new tokens from now on. */
  readonly kid: string;
  /** Every published kid, newest first. */
  readonly kids: readonly string[];
}

/** A running stand-in. */
export interface EntraStandin {
  /** The authority host, e.g. https://127.0.0.1:7443: AUTH_INSTANCE for the API, authorityHost for clients. */
  readonly url: string;
  readonly port: number;
  readonly tenantId: string;
  /** `{url}/{tenantId}`: the authority for MSAL clients. */
  readonly authority: string;
  /** The CA to trust (NODE_EXTRA_CA_CERTS, curl --cacert). */
  readonly caPath: string;
  readonly caCertPem: string;
  readonly registry: Registry;
  /** Publishes a new signing key beside the old ones and signs with it from now on (default: the workforce tenant's). */
  rotateKeys(authority?: StandinAuthorityKind): Promise<KeyRotation>;
  /** Published kids, newest (signing) first (default: the workforce tenant's). */
  signingKids(authority?: StandinAuthorityKind): readonly string[];
  /** A token with the claims chosen, signed with the current key of the authority kind it is shaped for. */
  issueToken(options: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

export const STANDIN_HOST = '127.0.0.1';

/** What to answer: a status, a JSON body, and a note for the request log. */
interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly note?: string;
  readonly noStore?: boolean;
}
const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_LIFETIME_SECONDS = 3599;

/** The stand-in could not start (port taken, registry or key file invalid, openssl missing...). */
export class StandinStartError extends Error {
  constructor(
    readonly code: 'port_in_use' | 'listen_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StandinStartError';
  }
}

/**
 * Starts the local Entra ID stand-in: HTTPS on 127.0.0.1 serving Entra's discovery
 * documents, key sets and the client_credentials token endpoint for the registry's
 * tenant, plus dev-only admin endpoints under `/_standin/`.
 */
export async function startEntraStandin(options: EntraStandinOptions): Promise<EntraStandin> {
  const now = options.now ?? Date.now;
  const registry = options.registry ?? (await Registry.load(options.registryPath ?? defaultRegistryPath()));
  const tls = await ensureLocalTls({ stateDir: options.stateDir, openssl: options.openssl, now });
  // Each kind's keys, made side by side on a first start (each is an openssl run).
  const openKeys = (kind: StandinAuthorityKind) => SigningKeyStore.open({ file: signingKeyFile(options.stateDir, kind), openssl: options.openssl, now });
  const [workforceKeys, externalIdKeys, b2cKeys] = await Promise.all([openKeys('workforce'), openKeys('externalId'), openKeys('b2c')]);
  const keyStores = { workforce: workforceKeys, externalId: externalIdKeys, b2c: b2cKeys } satisfies Record<StandinAuthorityKind, SigningKeyStore>;
  const keys = keyStores.workforce;
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;

  let origin = '';
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`error ${req.method ?? ''} ${pathOf(req)}: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) res.destroy();
      else if (error instanceof BodyTooLargeError) sendJson(res, 413, { error: 'invalid_request', error_description: error.message });
      else sendJson(res, 500, { error: 'server_error', error_description: 'The stand-in failed to handle the request.' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    const clientRequestId = header(req, 'client-request-id');
    const reply = path.startsWith('/_standin/') ? await admin(req, path, method) : await entra(req, path, method, clientRequestId);
    if (clientRequestId !== undefined) res.setHeader('client-request-id', clientRequestId);
    if (reply.noStore) {
      res.setHeader('cache-control', 'no-store, no-cache');
      res.setHeader('pragma', 'no-cache');
    }
    sendJson(res, reply.status, reply.body);
    options.log?.(`${method} ${path} ${reply.status}${reply.note ?? ''}`);
  }

  /** Entra's own endpoints. */
  async function entra(req: IncomingMessage, path: string, method: string, clientRequestId: string | undefined): Promise<Reply> {
    const problem = (p: EntraProblem): Reply => ({ status: p.status, body: entraErrorBody(p, { origin, now: new Date(now()), clientRequestId }), note: ` AADSTS${p.aadsts}` });
    const ok = (body: unknown): Reply => ({ status: 200, body });

    if (path.startsWith(`${CIAM_PREFIX}/`) || path.startsWith(`${B2C_PREFIX}/`)) {
      // An External ID tenant's own token endpoint: client_credentials, as its daemons use it.
      const ciamTenant = externalIdTokenTenant(path);
      if (ciamTenant !== undefined) {
        if (method !== 'POST') return problem(problems.postOnly(method));
        const result = await handleTokenRequest(
          { endpoint: 'v2', tenantSegment: ciamTenant, contentType: header(req, 'content-type'), authorization: header(req, 'authorization'), body: await readBody(req) },
          { registry, origin, signingKey: () => keyStores.externalId.active, now, lifetimeSeconds, issuer: 'externalId' },
        );
        return result.ok ? { status: 200, body: result.body, note: ` client=${result.clientId}`, noStore: true } : problem(result.problem);
      }
      if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: 'method_not_allowed', error_description: `${method} is not allowed on ${path}.` } };
      return authorityDocument(path, origin, registry, { externalId: keyStores.externalId.keys, b2c: keyStores.b2c.keys });
    }
    const route = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|discovery\/instance|oauth2\/v2\.0\/token|oauth2\/token)$/.exec(path);
    const [, tenantSegment = '', resource = ''] = route ?? [];
    if (!route || !/^[A-Za-z0-9.-]{1,128}$/.test(tenantSegment)) {
      return { status: 404, body: { error: 'not_found', error_description: `The Entra stand-in serves no ${path}.` } };
    }

    if (resource.startsWith('oauth2/')) {
      if (method !== 'POST') return problem(problems.postOnly(method));
      const result = await handleTokenRequest(
        {
          endpoint: resource === 'oauth2/token' ? 'v1' : 'v2',
          tenantSegment,
          contentType: header(req, 'content-type'),
          authorization: header(req, 'authorization'),
          body: await readBody(req),
        },
        { registry, origin, signingKey: () => keys.active, now, lifetimeSeconds },
      );
      return result.ok ? { status: 200, body: result.body, note: ` client=${result.clientId}`, noStore: true } : problem(result.problem);
    }

    if (method !== 'GET' && method !== 'HEAD') {
      return { status: 405, body: { error: 'method_not_allowed', error_description: `${method} is not allowed on ${path}.` } };
    }
    if (resource === 'discovery/instance') {
      const served = instanceTenant(header(req, 'host'), req.url ?? '', origin);
      return served === undefined ? problem(problems.unknownInstance()) : ok(instanceDiscoveryDocument(origin, served));
    }
    const tenant = metadataTenant(tenantSegment, registry);
    if (!tenant) return problem(problems.tenantNotFound(tenantSegment, 'invalid_tenant'));
    switch (resource) {
      case 'v2.0/.well-known/openid-configuration':
        return ok(openIdConfigurationV2(origin, tenant));
      case '.well-known/openid-configuration':
        return ok(openIdConfigurationV1(origin, tenant));
      case 'discovery/v2.0/keys':
        return ok(keySetDocument(keys.keys, '2.0', origin, tenant));
      default:
        return ok(keySetDocument(keys.keys, '1.0', origin, tenant));
    }
  }

  /** Dev-only endpoints, for tests and scripts in other processes. */
  async function admin(req: IncomingMessage, path: string, method: string): Promise<Reply> {
    // A web page must not be able to drive them from a developer's browser.
    if (header(req, 'origin') !== undefined) {
      return { status: 403, body: { error: 'forbidden', error_description: 'The stand-in admin endpoints refuse browser (cross-origin) requests.' } };
    }
    if (path === '/_standin/health' && method === 'GET') {
      return { status: 200, body: { status: 'ok', tenantId: registry.tenant.id, kids: keys.keys.map((key) => key.kid), pid: process.pid } };
    }
    if (path === '/_standin/rotate-keys' && method === 'POST') {
      await readBody(req);
      const named = new URL(req.url ?? '/', origin).searchParams.get('authority') ?? 'workforce';
      if (!isAuthorityKind(named)) return { status: 400, body: { error: 'invalid_request', error_description: `authority must be workforce, externalId or b2c, not ${JSON.stringify(named)}.` } };
      const rotation = await rotateKeys(named);
      return { status: 200, body: rotation, note: ` ${named} kid=${rotation.kid}` };
    }
    if (path === '/_standin/tokens' && method === 'POST') {
      // Dev only: a token with chosen claims (entra-dev token --authority/--user/--claim). The stand-in is loopback-only.
      let json: unknown;
      try {
        json = JSON.parse(await readBody(req));
      } catch {
        return { status: 400, body: { error: 'invalid_request', error_description: 'The body must be JSON: the token options (api, client, kind, scopes, claims, authority, ...).' } };
      }
      const request = readTokenRequest(json);
      if (!request.ok) return { status: 400, body: { error: 'invalid_request', error_description: request.problem } };
      try {
        return { status: 200, body: { access_token: await issueToken(request.options), token_type: 'Bearer' }, noStore: true, note: ` ${request.options.authority ?? 'workforce'} ${request.options.kind ?? 'app'}` };
      } catch (error) {
        if (error instanceof TokenShapeError) return { status: 400, body: { error: 'invalid_request', error_description: error.message } };
        throw error;
      }
    }
    return { status: 404, body: { error: 'not_found', error_description: 'Admin endpoints: GET /_standin/health, POST /_standin/rotate-keys[?authority=externalId|b2c], POST /_standin/tokens.' } };
  }

  async function rotateKeys(authority: StandinAuthorityKind = 'workforce'): Promise<KeyRotation> {
    const store = keyStores[authority];
    const key = await store.rotate();
    return { authority, kid: key.kid, kids: store.keys.map((published) => published.kid) };
  }

  async function issueToken(request: TokenOptions): Promise<string> {
    const shaped = shapeToken(request, { registry, origin, nowSeconds: Math.floor(now() / 1000) });
    return signAccessToken(shaped.claims, keyStores[shaped.authority].active, shaped.version);
  }

  const port = await listen(server, options.port ?? DEFAULT_STANDIN_PORT);
  origin = `https://${STANDIN_HOST}:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url: origin,
    port,
    tenantId: registry.tenant.id,
    authority: `${origin}/${registry.tenant.id}`,
    caPath: tls.caPath,
    caCertPem: tls.caCertPem,
    registry,
    rotateKeys,
    signingKids: (authority = 'workforce') => keyStores[authority].keys.map((key) => key.kid),
    issueToken,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      })),
  };
}

function isAuthorityKind(value: string): value is StandinAuthorityKind {
  return value === 'workforce' || value === 'externalId' || value === 'b2c';
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StandinStartError('port_in_use', `port ${port} on ${STANDIN_HOST} is in use`, { cause: error })
          : new StandinStartError('listen_failed', `cannot listen on ${STANDIN_HOST}:${port}: ${error.message}`, { cause: error }),
      );
    };
    server.once('error', onError);
    server.listen(port, STANDIN_HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function metadataTenant(segment: string, registry: Registry): MetadataTenant | undefined {
  const lower = segment.toLowerCase();
  const alias = MULTI_TENANT_ALIASES.find((name) => name === lower);
  if (alias) return { kind: 'multi', alias };
  return registry.isTenant(lower) ? { kind: 'tenant', id: registry.tenant.id } : undefined;
}

/**
 * The tenant path of the authority named in an instance-discovery query, when that
 * authority is this stand-in (Entra answers invalid_instance for hosts it does not know).
 */
function instanceTenant(hostHeader: string | undefined, url: string, origin: string): string | undefined {
  const query = new URL(url, origin).searchParams;
  const endpoint = query.get('authorization_endpoint');
  if (endpoint === null) return undefined;
  let named: URL;
  try {
    named = new URL(endpoint);
  } catch {
    return undefined;
  }
  const own = new URL(origin);
  const sameHost = named.protocol === 'https:' && named.port === own.port && (named.hostname === own.hostname || named.hostname === 'localhost' || named.host === hostHeader);
  const tenant = named.pathname.split('/').filter(Boolean)[0];
  return sameHost && tenant !== undefined && /^[A-Za-z0-9.-]{1,128}$/.test(tenant) ? tenant : undefined;
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
