import type { HttpHandler } from '@azure/functions';
import { ANY_VALID_TOKEN, anyOf, defineAuthPolicy } from '../../src/authz/authPolicy';
import type { Principal } from '../../src/authz/principal';
import { CALLER_APP, OTHER_TENANT, TENANT, USER_OID } from '../support/entraTokens';
import { REALM, startAuthFixture, type AuthFixture } from '../support/authFixture';
import { invokeHttp, type InvokeOptions } from '../support/invokeHttp';

const policy = defineAuthPolicy({
  GET: { appRoles: anyOf('Orders.Read'), scopes: anyOf('Orders.Read') },
  DELETE: { appRoles: anyOf('Orders.ReadWrite') },
});

let f: AuthFixture;
let calls: Principal[];
let guarded: HttpHandler;

beforeAll(async () => {
  f = await startAuthFixture();
});
afterAll(() => f.stop());
beforeEach(() => {
  calls = [];
  f.observer.failures.length = 0;
  f.observer.successes.length = 0;
  guarded = f.withAuth((_request, _context, principal) => {
    calls.push(principal);
    return { status: 200, jsonBody: { ok: true } };
  }, policy);
});

const call = (options: InvokeOptions) => invokeHttp(guarded, { route: 'orders', functionName: 'orders', ...options });

describe('token extraction (RFC 6750 §2.1, §3.1)', () => {
  it('answers a request without credentials with 401 and a bare challenge', async () => {
    const response = await call({});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
    expect(response.body).toMatchObject({ code: 'token_missing', status: 401 });
  });

  it('treats another scheme as no credentials: 401 with a bare challenge', async () => {
    const response = await call({ headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('accepts the scheme written %s', async (scheme) => {
    const response = await call({ headers: { authorization: `${scheme} ${await f.token()}` } });
    expect(response.status).toBe(200);
  });

  it.each([
    ['an empty Bearer credential', 'Bearer', 'header.authorization'],
    ['a Bearer credential with spaces inside', 'Bearer abc def', 'header.authorization'],
    ['a token with characters outside b64token', 'Bearer abc"def', 'header.authorization'],
    ['two Bearer credentials', 'Bearer aaa.bbb.ccc, Bearer ddd.eee.fff', 'header.multiple_credentials'],
    ['Basic and Bearer together', 'Basic dXNlcjpwYXNz, Bearer aaa.bbb.ccc', 'header.multiple_credentials'],
  ])('answers %s with 400 invalid_request', async (_name, authorization, check) => {
    const response = await call({ headers: { authorization } });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api:\/\/orders-api", error="invalid_request", error_description="[^"]+"$/);
    expect(response.body).toMatchObject({ code: 'invalid_request' });
    expect(f.observer.failures[0]).toMatchObject({ code: 'invalid_request', check });
  });

  it('refuses a token sent only in the query string, saying where it belongs', async () => {
    const response = await call({ query: { access_token: await f.token() } });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(f.observer.failures[0]).toMatchObject({ check: 'request.query_token' });
  });

  it('refuses a token sent both in the header and in the query string', async () => {
    const token = await f.token();
    const response = await call({ headers: { authorization: `Bearer ${token}` }, query: { access_token: token } });
    expect(response.status).toBe(400);
    expect(f.observer.failures[0]).toMatchObject({ check: 'request.multiple_methods' });
  });
});

describe('answers for bad tokens and unavailable keys', () => {
  it('answers an expired token with 401 invalid_token and a problem body that echoes nothing', async () => {
    const token = await f.token({ now: Math.floor(Date.now() / 1000) - 7200 });
    const response = await call({ headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="invalid_token", error_description="The access token has expired; request a new one."`,
    );
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      code: 'token_expired',
      detail: 'The access token has expired; request a new one.',
      invocationId: response.invocationId,
    });
    const [, , signature] = token.split('.');
    expect(JSON.stringify(response.body)).not.toContain(signature);
  });

  it('answers 503 with Retry-After, not 401, when no signing keys can be had', async () => {
    const cold = await startAuthFixture();
    try {
      cold.harness.server.keysFault = 'down';
      const handler = cold.withAuth(() => ({ status: 200 }), policy);
      const response = await invokeHttp(handler, { headers: { authorization: `Bearer ${await cold.token()}` } });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.body).toMatchObject({ code: 'keys_unavailable' });
      expect(cold.observer.failures[0]).toMatchObject({ code: 'keys_unavailable', check: 'jwks.fetch', status: 503 });
    } finally {
      await cold.stop();
    }
  });

  it('answers 405 with Allow for a method the policy does not name, without reading the token', async () => {
    const response = await call({ method: 'PATCH', headers: { authorization: 'Bearer not-even-a-jwt' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, DELETE');
    expect(f.observer.failures[0]).toMatchObject({ code: 'method_not_allowed', check: 'policy.method' });
  });

  it('refuses a delegated caller on a method that names only app roles', async () => {
    const response = await call({ method: 'DELETE', headers: { authorization: `Bearer ${await f.token({ kind: 'delegated', scp: 'Orders.ReadWrite' })}` } });
    expect(response.status).toBe(403);
    expect(f.observer.failures[0]).toMatchObject({ code: 'insufficient_scope', check: 'caller.delegated_not_allowed' });
  });
});

describe('the failure sink', () => {
  it('receives code, exact check, request and caller IDs, and never the token', async () => {
    const token = await f.token({ roles: ['Something.Else'] });
    const response = await call({ headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(f.observer.failures).toEqual([
      {
        code: 'insufficient_scope',
        check: 'claims.roles',
        status: 403,
        method: 'GET',
        route: 'orders',
        functionName: 'orders',
        invocationId: response.invocationId,
        tenantId: TENANT,
        clientAppId: CALLER_APP,
        tokenVersion: '2.0',
        kid: f.harness.key.kid,
        // The configured authority that verified the token (issue 22): the AUTH_* form's is default.
        authority: 'default',
        message: 'caller lacks any of Orders.Read',
      },
    ]);
    const recorded = JSON.stringify(f.observer.failures);
    for (const part of token.split('.')) expect(recorded).not.toContain(part);
  });

  it('carries the tenant and app a refused token claims only as unverified, never as the verified tenantId and clientAppId', async () => {
    await call({ headers: { authorization: `Bearer ${await f.token({ tenant: OTHER_TENANT })}` } });
    expect(f.observer.failures[0]).toMatchObject({
      code: 'tenant_not_allowed',
      check: 'claims.tid',
      unverifiedTenantId: OTHER_TENANT,
      unverifiedClientAppId: CALLER_APP,
      tokenVersion: '2.0',
    });
    expect(f.observer.failures[0]).not.toHaveProperty('tenantId');
    expect(f.observer.failures[0]).not.toHaveProperty('clientAppId');
  });

  it('keeps a forged token (unknown signer) from naming a tenant or app in the verified dimensions', async () => {
    const [header, payload] = (await f.token({ tenant: OTHER_TENANT })).split('.');
    await call({ headers: { authorization: `Bearer ${header}.${payload}.${'A'.repeat(342)}` } });
    expect(f.observer.failures[0]).toMatchObject({ status: 401, unverifiedTenantId: OTHER_TENANT });
    expect(Object.keys(f.observer.failures[0] ?? {})).not.toEqual(expect.arrayContaining(['tenantId']));
    expect(Object.keys(f.observer.failures[0] ?? {})).not.toEqual(expect.arrayContaining(['clientAppId']));
  });

  it('keeps answering when the sink throws', async () => {
    const throwing = f.withAuth(() => ({ status: 200 }), policy);
    f.observer.onFailure = () => {
      throw new Error('telemetry down');
    };
    try {
      const response = await invokeHttp(throwing, {});
      expect(response.status).toBe(401);
    } finally {
      f.observer.onFailure = (event) => void f.observer.failures.push(event);
    }
  });

  it('counts an authorized request as a success, not a failure', async () => {
    await call({ headers: { authorization: `Bearer ${await f.token()}` } });
    expect(f.observer.failures).toEqual([]);
    expect(f.observer.successes).toEqual([
      { method: 'GET', route: 'orders', functionName: 'orders', tenantId: TENANT, clientAppId: CALLER_APP, tokenVersion: '2.0', appOnly: true, authority: 'default' },
    ]);
  });
});

describe('the principal handed to the handler', () => {
  it('describes an app-only v1 caller', async () => {
    await call({ headers: { authorization: `Bearer ${await f.token({ version: '1.0', roles: ['Orders.Read'] })}` } });
    expect(calls[0]).toMatchObject({ tenantId: TENANT, clientAppId: CALLER_APP, isAppOnly: true, roles: ['Orders.Read'], scopes: [], tokenVersion: '1.0' });
  });

  it('describes a delegated v2 caller, splitting scp on spaces', async () => {
    await call({ headers: { authorization: `Bearer ${await f.token({ kind: 'delegated', scp: 'User.Read  Orders.Read' })}` } });
    expect(calls[0]).toMatchObject({ objectId: USER_OID, isAppOnly: false, scopes: ['User.Read', 'Orders.Read'], roles: [], tokenVersion: '2.0' });
  });

  it('treats a token without idtyp as app-only when it has no scp and oid equals sub', async () => {
    await call({ headers: { authorization: `Bearer ${await f.token({ kind: 'app', claims: { idtyp: undefined } })}` } });
    expect(calls[0]?.isAppOnly).toBe(true);
  });

  it('lets ANY_VALID_TOKEN admit a verified caller whatever permission it holds, but not one with none', async () => {
    const me = f.withAuth((_r, _c, principal) => ({ status: 200, jsonBody: { oid: principal.objectId } }), defineAuthPolicy({ GET: ANY_VALID_TOKEN }));
    const withSomeRole = await invokeHttp(me, { headers: { authorization: `Bearer ${await f.token({ roles: ['Something.Else'] })}` } });
    expect(withSomeRole.status).toBe(200);
    const withNoRole = await invokeHttp(me, { headers: { authorization: `Bearer ${await f.token({ roles: [] })}` } });
    expect(withNoRole.status).toBe(403);
  });

  it('turns a handler exception into a 500 problem without a stack trace', async () => {
    const failing = f.withAuth(() => {
      throw new Error('database password is hunter2');
    }, policy);
    const response = await invokeHttp(failing, { headers: { authorization: `Bearer ${await f.token()}` } });
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toMatch(/hunter2|at .*\.ts/);
    expect(response.body).toMatchObject({ code: 'internal_error', invocationId: response.invocationId });
  });
});

describe("serialising the handler's jsonBody", () => {
  const answering = (jsonBody: unknown, headers?: Record<string, string>) =>
    f.withAuth(() => ({ status: 200, ...(headers && { headers }), jsonBody }), policy);

  it.each([
    ['nests arrays 5,500 deep (the stack overflows)', () => JSON.parse(`${'['.repeat(5500)}${']'.repeat(5500)}`) as unknown],
    ['holds a BigInt', () => ({ big: 1n })],
    ['refers to itself', () => {
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      return cycle;
    }],
  ])('answers the logged 500 internal_error problem when the body %s', async (_name, value) => {
    const response = await invokeHttp(answering(value()), { headers: { authorization: `Bearer ${await f.token()}` } });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.body).toMatchObject({ code: 'internal_error', invocationId: response.invocationId });
    expect(response.logs.some((line) => line.startsWith('error: Unhandled error in orders'))).toBe(true);
  });

  it('sends a serialisable body as application/json, keeping the content type a handler chose', async () => {
    const plain = await invokeHttp(answering({ ok: true }), { headers: { authorization: `Bearer ${await f.token()}` } });
    expect(plain).toMatchObject({ status: 200, body: { ok: true } });
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
    const chosen = await invokeHttp(answering({ ok: true }, { 'Content-Type': 'application/vnd.orders+json', 'cache-control': 'no-store' }), {
      headers: { authorization: `Bearer ${await f.token()}` },
    });
    expect(chosen.headers.get('content-type')).toBe('application/vnd.orders+json');
    expect(chosen.headers.get('cache-control')).toBe('no-store');
  });
});

describe('the handler never runs when auth fails', () => {
  const failing: [string, () => Promise<InvokeOptions>][] = [
    ['no credentials', () => Promise.resolve({})],
    ['another scheme', () => Promise.resolve({ headers: { authorization: 'Basic abc' } })],
    ['malformed header', () => Promise.resolve({ headers: { authorization: 'Bearer a b' } })],
    ['token in query', async () => ({ query: { access_token: await f.token() } })],
    ['garbage token', () => Promise.resolve({ headers: { authorization: 'Bearer abc.def.ghi' } })],
    ['expired token', async () => ({ headers: { authorization: `Bearer ${await f.token({ now: 1_000_000 })}` } })],
    ['wrong tenant', async () => ({ headers: { authorization: `Bearer ${await f.token({ tenant: OTHER_TENANT })}` } })],
    ['wrong audience', async () => ({ headers: { authorization: `Bearer ${await f.token({ claims: { aud: 'api://other' } })}` } })],
    ['missing role', async () => ({ headers: { authorization: `Bearer ${await f.token({ roles: ['Nope'] })}` } })],
    ['missing scope', async () => ({ headers: { authorization: `Bearer ${await f.token({ kind: 'delegated', scp: 'User.Read' })}` } })],
    ['method without policy', async () => ({ method: 'PUT', headers: { authorization: `Bearer ${await f.token()}` } })],
  ];

  it.each(failing)('%s', async (_name, options) => {
    const response = await call(await options());
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(calls).toHaveLength(0);
    expect(f.observer.failures).toHaveLength(1);
  });

  it('keys unavailable', async () => {
    const cold = await startAuthFixture();
    try {
      cold.harness.server.keysFault = 'refused';
      let ran = false;
      const handler = cold.withAuth(() => {
        ran = true;
        return { status: 200 };
      }, policy);
      expect((await invokeHttp(handler, { headers: { authorization: `Bearer ${await cold.token()}` } })).status).toBe(503);
      expect(ran).toBe(false);
    } finally {
      await cold.stop();
    }
  });
});
