import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VaultKeyStore, type KeySpec, type KeyVersion, type VaultCurve, type VaultKeyType } from './vaultKeys';

/** Which vault operation a request was, for faults and the request log. */
export type VaultOperation = 'get' | 'list' | 'sign' | 'create' | 'rotate' | 'update';

/**
 * A switchable failure: an HTTP status (429 or 503 with Retry-After, 500...) or a
 * request that never gets an answer. Applies after the bearer challenge, to the
 * listed operations (all when absent).
 */
export type VaultFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly operations?: readonly VaultOperation[] }
  | { readonly kind: 'hang'; readonly operations?: readonly VaultOperation[] };

export interface VaultRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly operation: VaultOperation | 'unknown';
  /** The Authorization header as received (tests check the credential's token arrives). */
  readonly authorization: string | undefined;
  readonly status: number;
}

export interface KeyVaultStandinOptions {
  /** A server certificate for 127.0.0.1 (ensureLocalTls of azure-functions-entra-dev/toolkit). */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** The tenant named in the bearer challenge. */
  readonly tenantId?: string;
  /** Bearer tokens accepted; any token when absent (real ones from `az login` cannot be checked here). */
  readonly acceptedTokens?: readonly string[];
  /** Versions per page of GET /keys/{name}/versions; small values exercise nextLink paging. */
  readonly pageSize?: number;
  /** Milliseconds since the epoch; stamps created/updated and decides nbf/exp. */
  readonly now?: () => number;
  readonly openssl?: string | undefined;
  readonly log?: (line: string) => void;
}

/** Attribute changes for the direct helper; Date, or null to clear. */
export interface AttributeChange {
  readonly enabled?: boolean;
  readonly notBefore?: Date | null;
  readonly expiresOn?: Date | null;
}

export interface KeyVaultStandin {
  /** The vault URL, e.g. https://127.0.0.1:8443. */
  readonly url: string;
  readonly port: number;
  readonly tenantId: string;
  readonly requests: readonly VaultRequest[];
  /** Every sign request the vault carried out: the key version, the algorithm and the digest it was given (base64url). */
  readonly signed: readonly { readonly version: string; readonly alg: string; readonly digest: string }[];
  /** Direct helpers, same effect as the vault's create / rotate / update REST calls. */
  createKey(name: string, spec: KeySpec, attributes?: AttributeChange): Promise<KeyVersion>;
  rotateKey(name: string): Promise<KeyVersion>;
  updateKey(name: string, version: string, change: AttributeChange): KeyVersion;
  versions(name: string): readonly KeyVersion[];
  setFault(fault: VaultFault | undefined): void;
  stop(): Promise<void>;
}

export const DEFAULT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
const MAX_BODY_BYTES = 64 * 1024;

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * A local stand-in for Azure Key Vault's key operations, over HTTPS on 127.0.0.1
 * (the SDK refuses plain http): the REST shapes of get key, list key versions (with
 * nextLink paging), sign, and create / rotate / update for tests and scripts, behind
 * the vault's bearer challenge. Private keys stay in the stand-in, as in a vault.
 */
export async function startKeyVaultStandin(options: KeyVaultStandinOptions): Promise<KeyVaultStandin> {
  const now = options.now ?? Date.now;
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  const pageSize = options.pageSize ?? 25;
  const store = await VaultKeyStore.open({ now, openssl: options.openssl });
  const requests: VaultRequest[] = [];
  const signed: { version: string; alg: string; digest: string }[] = [];
  let fault: VaultFault | undefined;
  let origin = '';

  const server: Server = createServer({ key: options.tls.keyPem, cert: options.tls.certPem, minVersion: 'TLSv1.2' }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`error ${req.method ?? ''} ${req.url ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
      if (res.headersSent) res.destroy();
      else send(res, { status: 500, body: vaultError('InternalError', 'The stand-in failed to handle the request.') });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const route = routeOf(method, url.pathname);
    const authorization = req.headers.authorization;
    const record = (status: number) => {
      requests.push({ method, url: req.url ?? '/', operation: route?.operation ?? 'unknown', authorization, status });
      options.log?.(`${method} ${url.pathname} ${status}`);
    };

    // Key Vault answers an unauthenticated request with a challenge naming the tenant and resource.
    if (!isAccepted(authorization)) {
      await drain(req);
      record(401);
      send(res, {
        status: 401,
        headers: { 'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"` },
        body: vaultError('Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.'),
      });
      return;
    }
    if (!route) {
      await drain(req);
      record(404);
      send(res, { status: 404, body: vaultError('NotFound', `The stand-in serves no ${method} ${url.pathname}.`) });
      return;
    }
    const active = fault;
    if (active && (active.operations === undefined || active.operations.includes(route.operation))) {
      await drain(req);
      record(active.kind === 'hang' ? 0 : active.status);
      if (active.kind === 'hang') return; // the socket stays open until stop()
      send(res, {
        status: active.status,
        ...(active.retryAfter !== undefined && { headers: { 'retry-after': active.retryAfter } }),
        body: vaultError(active.status === 429 ? 'Throttled' : 'ServiceUnavailable', `Injected fault: HTTP ${active.status}.`),
      });
      return;
    }
    const reply = await dispatch(route, url, req);
    record(reply.status);
    send(res, reply);
  }

  function isAccepted(authorization: string | undefined): boolean {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    if (!match?.[1]) return false;
    return options.acceptedTokens === undefined || options.acceptedTokens.includes(match[1]);
  }

  async function dispatch(route: Route, url: URL, req: IncomingMessage): Promise<Reply> {
    const body = await readBody(req);
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null || !/^\d{4}-\d{2}-\d{2}(-preview)?$|^\d+\.\d+(-preview)?$/.test(apiVersion)) {
      return { status: 400, body: vaultError('BadParameter', "The 'api-version' query parameter is missing or invalid.") };
    }
    if (!KEY_NAME.test(route.name)) return { status: 400, body: vaultError('BadParameter', 'Invalid key name.') };
    const notFound = (): Reply => ({ status: 404, body: vaultError('KeyNotFound', `A key with (name/id) ${route.name} was not found in this key vault.`) });
    const parsed = body === '' ? {} : parseJson(body);
    if (parsed === undefined) return { status: 400, body: vaultError('BadParameter', 'The request body is not valid JSON.') };

    switch (route.operation) {
      case 'get': {
        const key = route.version === undefined ? store.latest(route.name) : store.get(route.name, route.version);
        if (!key) return notFound();
        if (!key.attributes.enabled) return { status: 403, body: vaultError('Forbidden', 'Operation get is not allowed on a disabled key.') };
        return { status: 200, body: keyBundle(origin, key) };
      }
      case 'list': {
        const versions = store.versions(route.name);
        if (versions.length === 0) return notFound();
        const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
        const asked = Number(url.searchParams.get('maxresults') ?? pageSize);
        const size = Math.max(1, Math.min(pageSize, Number.isFinite(asked) ? asked : pageSize));
        const start = Number.isInteger(skip) && skip >= 0 ? skip : 0;
        const page = versions.slice(start, start + size);
        const next = start + size < versions.length ? `${origin}/keys/${route.name}/versions?api-version=${apiVersion}&$skiptoken=${start + size}&maxresults=${size}` : null;
        return { status: 200, body: { value: page.map((key) => keyItem(origin, key)), nextLink: next } };
      }
      case 'sign': {
        const key = route.version === undefined ? undefined : store.get(route.name, route.version);
        if (!key) return notFound();
        const request = parsed as { alg?: unknown; value?: unknown };
        if (typeof request.alg !== 'string' || typeof request.value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(request.value)) {
          return { status: 400, body: vaultError('BadParameter', 'Sign needs alg and a base64url value.') };
        }
        const outcome = await store.sign(key, request.alg, Buffer.from(request.value, 'base64url'));
        if (!outcome.ok) return { status: outcome.status, body: vaultError(outcome.code, outcome.message) };
        signed.push({ version: key.version, alg: request.alg, digest: request.value });
        return { status: 200, body: { kid: keyId(origin, key), value: outcome.signature.toString('base64url') } };
      }
      case 'create': {
        const spec = keySpec(parsed);
        if (typeof spec === 'string') return { status: 400, body: vaultError('BadParameter', spec) };
        const { enabled, nbf, exp } = wireAttributes(parsed);
        const key = await store.create(route.name, spec, { ...(enabled !== undefined && { enabled }), nbf: nbf ?? undefined, exp: exp ?? undefined });
        return { status: 200, body: keyBundle(origin, key) };
      }
      case 'rotate': {
        const key = await store.rotate(route.name);
        return key ? { status: 200, body: keyBundle(origin, key) } : notFound();
      }
      case 'update': {
        const key = route.version === undefined ? store.latest(route.name) : store.get(route.name, route.version);
        if (!key) return notFound();
        const updated = store.update(route.name, key.version, wireAttributes(parsed));
        return updated ? { status: 200, body: keyBundle(origin, updated) } : notFound();
      }
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  origin = `https://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;

  const seconds = (date: Date | null | undefined) => (date === undefined ? undefined : date === null ? null : Math.floor(date.getTime() / 1000));
  return {
    url: origin,
    port,
    tenantId,
    requests,
    signed,
    createKey: (name, spec, attributes = {}) =>
      store.create(name, spec, { ...(attributes.enabled !== undefined && { enabled: attributes.enabled }), nbf: seconds(attributes.notBefore) ?? undefined, exp: seconds(attributes.expiresOn) ?? undefined }),
    async rotateKey(name) {
      const key = await store.rotate(name);
      if (!key) throw new Error(`no key ${name} to rotate`);
      return key;
    },
    updateKey(name, version, change) {
      const key = store.update(name, version, { enabled: change.enabled, nbf: seconds(change.notBefore), exp: seconds(change.expiresOn) });
      if (!key) throw new Error(`no version ${version} of key ${name}`);
      return key;
    },
    versions: (name) => store.versions(name),
    setFault(next) {
      fault = next;
    },
    stop() {
      stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => { resolve(); }));
        await store.close();
      })();
      return stopping;
    },
  };
}

interface Route {
  readonly operation: VaultOperation;
  readonly name: string;
  readonly version: string | undefined;
}

function routeOf(method: string, rawPath: string): Route | undefined {
  let parts: string[];
  try {
    parts = rawPath.replace(/(.)\/$/, '$1').split('/').slice(1).map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
  const [root, name, second, third, ...extra] = parts;
  if (root !== 'keys' || name === undefined || name === '' || extra.length > 0) return undefined;
  if (second === undefined) {
    if (method === 'GET') return { operation: 'get', name, version: undefined };
    return method === 'PATCH' ? { operation: 'update', name, version: undefined } : undefined;
  }
  if (third === undefined) {
    if (second === 'versions' && method === 'GET') return { operation: 'list', name, version: undefined };
    if (second === 'create' && method === 'POST') return { operation: 'create', name, version: undefined };
    if (second === 'rotate' && method === 'POST') return { operation: 'rotate', name, version: undefined };
    if (method === 'GET') return { operation: 'get', name, version: second };
    return method === 'PATCH' ? { operation: 'update', name, version: second } : undefined;
  }
  return third === 'sign' && method === 'POST' ? { operation: 'sign', name, version: second } : undefined;
}

function keyId(origin: string, key: KeyVersion): string {
  return `${origin}/keys/${key.name}/${key.version}`;
}

function wireAttributesOf(key: KeyVersion): Record<string, unknown> {
  const { enabled, nbf, exp, created, updated } = key.attributes;
  return { enabled, ...(nbf !== undefined && { nbf }), ...(exp !== undefined && { exp }), created, updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
}

/** A KeyBundle as Key Vault returns it: public members only. */
function keyBundle(origin: string, key: KeyVersion): unknown {
  return { key: { kid: keyId(origin, key), kty: key.spec.kty, key_ops: key.keyOps, ...key.publicJwk }, attributes: wireAttributesOf(key) };
}

/** A KeyItem of a version listing: no key material. */
function keyItem(origin: string, key: KeyVersion): unknown {
  return { kid: keyId(origin, key), attributes: wireAttributesOf(key) };
}

const KEY_TYPES: readonly VaultKeyType[] = ['RSA', 'RSA-HSM', 'EC', 'EC-HSM'];
const CURVES: readonly VaultCurve[] = ['P-256', 'P-384', 'P-521', 'P-256K'];

function keySpec(body: unknown): KeySpec | string {
  const { kty, key_size: keySize, crv, key_ops: keyOps } = body as { kty?: unknown; key_size?: unknown; crv?: unknown; key_ops?: unknown };
  if (!KEY_TYPES.includes(kty as VaultKeyType)) return `kty must be one of ${KEY_TYPES.join(', ')} (the stand-in has no oct keys).`;
  const type = kty as VaultKeyType;
  if (type.startsWith('RSA') && keySize !== undefined && !(typeof keySize === 'number' && [2048, 3072, 4096].includes(keySize))) return 'key_size must be 2048, 3072 or 4096.';
  if (type.startsWith('EC') && crv !== undefined && !CURVES.includes(crv as VaultCurve)) return `crv must be one of ${CURVES.join(', ')}.`;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.every((op) => typeof op === 'string'))) return 'key_ops must be an array of strings.';
  return {
    kty: type,
    ...(typeof keySize === 'number' && { keySize }),
    ...(typeof crv === 'string' && { crv: crv as VaultCurve }),
    ...(Array.isArray(keyOps) && { keyOps }),
  };
}

function wireAttributes(body: unknown): { enabled?: boolean; nbf?: number | null; exp?: number | null } {
  const attributes = (body as { attributes?: unknown }).attributes;
  if (typeof attributes !== 'object' || attributes === null) return {};
  const { enabled, nbf, exp } = attributes as { enabled?: unknown; nbf?: unknown; exp?: unknown };
  return {
    ...(typeof enabled === 'boolean' && { enabled }),
    ...((typeof nbf === 'number' || nbf === null) && { nbf }),
    ...((typeof exp === 'number' || exp === null) && { exp }),
  };
}

function vaultError(code: string, message: string): unknown {
  return { error: { code, message } };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
  res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and discards a request body, so the connection stays usable. */
async function drain(req: IncomingMessage): Promise<void> {
  await readBody(req).catch(() => undefined);
}
