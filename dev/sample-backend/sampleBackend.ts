import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, customFetch, jwtVerify, type JWTPayload } from 'jose';

/**
 * An example backend that trusts the Functions app's identity assertions: it fetches
 * the app's published key set (jose's createRemoteJWKSet: cached, refetched when an
 * unknown kid shows up after a rotation) and checks signature, issuer, audience,
 * expiry and the explicit type. It never sees, and never needs, the caller's Entra token.
 */

/** Must match the `typ` the app puts in assertions (lib/signing/identityAssertion.ts ASSERTION_TYPE). */
export const ASSERTION_TYPE = 'identity-assertion+jwt';
/** The app promises assertions of at most five minutes; a longer one is refused. */
const MAX_LIFETIME_SECONDS = 300;

export interface SampleBackendOptions {
  /** The app's key set, e.g. https://orders-api.azurewebsites.net/api/.well-known/jwks.json. */
  readonly jwksUrl: string;
  /** The app's SIGNING_ISSUER. */
  readonly issuer: string;
  /** This backend's identifier: the app's FULFILMENT_AUDIENCE (or FULFILMENT_URL's origin). */
  readonly audience: string;
  /** 0 (default) picks a free port; always on 127.0.0.1. */
  readonly port?: number;
  /** How the key set is fetched, e.g. trusting the dev CA when NODE_EXTRA_CA_CERTS is not set. */
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** How long a fetched key set is used before fetching again (jose refetches sooner for an unknown kid). */
  readonly keySetMaxAgeMs?: number;
  readonly clockToleranceSeconds?: number;
  readonly log?: (line: string) => void;
}

/** Who called, as the assertion says. */
export interface AssertedCaller {
  readonly sub: string | undefined;
  readonly oid: string | undefined;
  readonly tid: string;
  readonly azp: string;
  readonly idtyp: string | undefined;
  readonly roles: readonly string[];
  readonly scp: string | undefined;
  readonly uti: string | undefined;
  readonly jti: string;
  readonly kid: string | undefined;
}

export type CallOutcome = { readonly ok: true; readonly caller: AssertedCaller } | { readonly ok: false; readonly code: string; readonly message: string };

/** One request as received: every header (to show which ones arrived) and what verification found. */
export interface ReceivedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  readonly outcome: CallOutcome;
}

export interface SampleBackend {
  readonly url: string;
  /** POST here: what FULFILMENT_URL points at. */
  readonly fulfilUrl: string;
  readonly calls: readonly ReceivedCall[];
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startSampleBackend(options: SampleBackendOptions): Promise<SampleBackend> {
  const keySet = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: options.keySetMaxAgeMs ?? 5 * 60_000,
    ...(options.fetch && { [customFetch]: options.fetch }),
  });
  const calls: ReceivedCall[] = [];

  async function verify(authorization: string | undefined): Promise<CallOutcome> {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, code: 'assertion_missing', message: 'no bearer assertion' };
    try {
      const { payload, protectedHeader } = await jwtVerify(match[1], keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['ES256', 'RS256'],
        typ: ASSERTION_TYPE,
        requiredClaims: ['exp', 'iat', 'nbf', 'jti', 'tid', 'azp'],
        clockTolerance: options.clockToleranceSeconds ?? 30,
      });
      const problem = claimProblem(payload);
      if (problem) return { ok: false, code: 'claims_invalid', message: problem };
      return { ok: true, caller: callerOf(payload, protectedHeader.kid) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { ok: false, code: typeof code === 'string' ? code : 'verification_failed', message: error instanceof Error ? error.message : 'verification failed' };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = await readJson(req);
    if (req.method !== 'POST' || path !== '/fulfil') {
      send(res, 404, { error: 'not_found' });
      return;
    }
    const outcome = await verify(req.headers.authorization);
    calls.push({ method: req.method, path, headers: { ...req.headers }, body, outcome });
    if (!outcome.ok) {
      options.log?.(`refused: ${outcome.code} ${outcome.message}`);
      send(res, 401, { error: 'invalid_token', code: outcome.code }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return;
    }
    options.log?.(`accepted: azp=${outcome.caller.azp} oid=${outcome.caller.oid ?? '-'} tid=${outcome.caller.tid}`);
    const orderId = (body as { orderId?: unknown } | undefined)?.orderId;
    send(res, 200, { accepted: true, orderId: typeof orderId === 'string' ? orderId : null, caller: outcome.caller });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 400, { error: 'bad_request' });
      else res.destroy();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    fulfilUrl: `${url}/fulfil`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function claimProblem(payload: JWTPayload): string | undefined {
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number') return 'exp and iat are required';
  if (exp - iat > MAX_LIFETIME_SECONDS) return `lifetime of ${exp - iat} s exceeds ${MAX_LIFETIME_SECONDS} s`;
  if (typeof payload.tid !== 'string' || typeof payload.azp !== 'string') return 'tid and azp must be strings';
  return undefined;
}

function callerOf(payload: JWTPayload, kid: string | undefined): AssertedCaller {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === 'string') : [];
  return {
    sub: payload.sub,
    oid: text(payload.oid),
    tid: text(payload.tid) ?? '',
    azp: text(payload.azp) ?? '',
    idtyp: text(payload.idtyp),
    roles,
    scp: text(payload.scp),
    uti: text(payload.uti),
    jti: payload.jti ?? '',
    kid,
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}
