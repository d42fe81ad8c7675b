import { PERSONAL_CLAIMS, REDACTED } from '../../packages/azure-functions-entra-dev/src/inspect/claimsView';
import type { FetchLike } from 'azure-functions-entra-auth';
import { startStandinHarness, type StandinHarness } from '../dev/support/standinHarness';
import { inspectInProcess, settingsFolder, type InspectorRun } from './support/runInspector';
import { createTestKey, signToken } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { delegatedClaims, delegatedToken, standinSettings } from './support/standinTokens';

/**
 * Real tokens from the local Entra stand-in (app-only from its token endpoint, and
 * delegated ones signed with its own key), inspected in-process against its discovery
 * documents and key sets through the production key store.
 */

let h: StandinHarness;
let fetches: string[];
let countingFetch: FetchLike;
const folders: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  h = await startStandinHarness();
  fetches = [];
  countingFetch = (input, init) => {
    fetches.push(input);
    return h.fetch(input, init);
  };
});
afterAll(async () => {
  await Promise.all(folders.map((folder) => folder.remove()));
  await h.stop();
});

async function inspect(token: string, apiName: string, args: string[] = [], extra: Record<string, string> = {}, now?: () => number): Promise<InspectorRun> {
  const folder = await settingsFolder(standinSettings(h, apiName, extra));
  folders.push(folder);
  return inspectInProcess(['--json', ...args, '-'], { appRoot: folder.dir, stdin: `${token}\n`, fetch: countingFetch, ...(now && { now }) });
}

const route = (run: InspectorRun, method: string, path: string) => run.json().routes?.routes.find((r) => r.method === method && r.path === path);

describe('accepted tokens: every check passes, then the route table from the production policies', () => {
  it('v2 app-only (reader, client_credentials): read routes allowed, writes refused naming the role it lacks', async () => {
    const run = await inspect(await h.token('reader', 'orders-api'), 'orders-api');
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result.verdict).toBe('accepted');
    expect(result.checks.map((row) => row.status)).toEqual(result.checks.map(() => 'pass'));
    expect(result.token).toMatchObject({ ver: '2.0', tid: h.standin.tenantId, azp: h.client('reader').clientId, idtyp: 'app' });
    expect(route(run, 'GET', '/api/orders')).toMatchObject({ allowed: true, answer: '2xx' });
    expect(route(run, 'POST', '/api/orders')).toMatchObject({
      allowed: false,
      answer: '403 insufficient_scope',
      reason: 'needs app role Orders.ReadWrite; token has roles Orders.Read',
    });
    expect(route(run, 'GET', '/api/me')).toMatchObject({ allowed: true });
    expect(route(run, 'GET', '/api/health')).toMatchObject({ allowed: true, reason: 'anonymous: no token needed' });
    expect(route(run, 'GET', `/api/tenants/${h.standin.tenantId}/orders`)).toMatchObject({ allowed: true });
    expect(result.routes?.tenantRules).toEqual([
      expect.objectContaining({ method: 'GET', allowed: false, answer: '403 tenant_mismatch', reason: expect.stringContaining(h.standin.tenantId) }),
    ]);
  });

  it('v1 app-only (writer): writes allowed too', async () => {
    const run = await inspect(await h.token('writer', 'orders-api-v1'), 'orders-api-v1');
    expect(run.code).toBe(0);
    expect(run.json().token).toMatchObject({ ver: '1.0', appid: h.client('writer').clientId });
    expect(route(run, 'POST', '/api/orders')).toMatchObject({ allowed: true, reason: 'needs app role Orders.ReadWrite; token has Orders.ReadWrite' });
    expect(route(run, 'DELETE', '/api/orders/{id}')).toMatchObject({ allowed: true });
  });

  it('v2 delegated (scp Orders.Read): judged on scopes, and the signed-in user is redacted', async () => {
    const run = await inspect(await delegatedToken(h, 'orders-api', 'reader', { scp: 'Orders.Read' }), 'orders-api');
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result.verdict).toBe('accepted');
    expect(route(run, 'POST', '/api/orders')).toMatchObject({ allowed: false, reason: 'needs scope Orders.ReadWrite; token has scp Orders.Read' });
    expect(result.claims).toMatchObject({ name: REDACTED, preferred_username: REDACTED, tid: h.standin.tenantId });
    expect(run.text()).not.toContain('Megan Bowen');
    expect(run.text()).not.toContain('meganb@contoso.com');
  });

  it('v1 delegated: upn and unique_name redacted, shown with --show-claims', async () => {
    const token = await delegatedToken(h, 'orders-api-v1', 'writer', { scp: 'Orders.ReadWrite' });
    const redacted = await inspect(token, 'orders-api-v1');
    expect(redacted.code).toBe(0);
    expect(redacted.json().claims).toMatchObject({ upn: REDACTED, unique_name: REDACTED, name: REDACTED });
    expect(route(redacted, 'PUT', '/api/orders/{id}')).toMatchObject({ allowed: true });
    const shown = await inspect(token, 'orders-api-v1', ['--show-claims']);
    expect(shown.json().claims).toMatchObject({ upn: 'meganb@contoso.com', name: 'Megan Bowen' });
    const claims = redacted.json().claims ?? {};
    for (const claim of PERSONAL_CLAIMS.filter((name) => name in claims)) expect(claims[claim]).toBe(REDACTED);
  });

  it('fetches only the discovery document and key set of the configured authority, never with the token', async () => {
    const before = fetches.length;
    await inspect(await h.token('reader', 'orders-api'), 'orders-api');
    const made = fetches.slice(before);
    expect(made).toEqual([
      `${h.standin.url}/${h.standin.tenantId}/v2.0/.well-known/openid-configuration`,
      `${h.standin.url}/${h.standin.tenantId}/discovery/v2.0/keys`,
    ]);
  });
});

describe('refused tokens: the failing check named, with expected vs found and a fix', () => {
  const failed = (run: InspectorRun) => run.json().checks.filter((row) => row.status === 'fail');

  it('a v1 token where AUTH_TOKEN_VERSIONS=2.0', async () => {
    const run = await inspect(await h.token('reader', 'orders-api-v1'), 'orders-api-v1', [], { AUTH_TOKEN_VERSIONS: '2.0' });
    expect(run.code).toBe(1);
    expect(failed(run)).toEqual([
      expect.objectContaining({ code: 'token_version_not_allowed', check: 'claims.ver', found: 'ver 1.0', fix: expect.stringContaining('v1.0 token but AUTH_TOKEN_VERSIONS=2.0') }),
    ]);
  });

  it('a token for another API of the tenant', async () => {
    const run = await inspect(await h.token('reader', 'orders-api'), 'orders-api-v1');
    expect(run.code).toBe(1);
    expect(failed(run)).toEqual([
      expect.objectContaining({
        code: 'audience_mismatch',
        check: 'claims.aud',
        expected: `the client ID ${h.api('orders-api-v1').clientId} or api://orders-api-v1 (AUTH_CLIENT_ID / AUTH_APP_ID_URI)`,
        found: `aud ${h.api('orders-api').clientId}`,
        fix: 'the token was issued for another API: request scope=api://orders-api-v1/.default',
      }),
    ]);
  });

  it('a token that expired 14 minutes ago: clock skew named', async () => {
    const token = await h.token('reader', 'orders-api');
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;
    const run = await inspect(token, 'orders-api', [], {}, () => (exp + 14 * 60) * 1000);
    expect(run.code).toBe(1);
    expect(failed(run)).toEqual([expect.objectContaining({ code: 'token_expired', check: 'claims.exp', fix: expect.stringContaining('clock skew: expired 14 min ago') })]);
  });

  it('a delegated token signed by a key the stand-in does not publish', async () => {
    const token = await signToken(createTestKey('not-published'), delegatedClaims(h, 'orders-api', 'reader', { scp: 'Orders.Read' }));
    const run = await inspect(token, 'orders-api');
    expect(run.code).toBe(1);
    expect(failed(run)).toEqual([expect.objectContaining({ code: 'key_not_found', check: 'header.kid' })]);
  });
});

describe('whatever the verifier decides, the inspector says', () => {
  it('an app with no role assigned (norole): the same verdict as the verifier, and refused on every protected route', async () => {
    const token = await h.token('norole', 'orders-api');
    const verdict = await h
      .verifierFor('orders-api', { cacheSize: 0 })
      .verify(token)
      .then(
        () => ({ verdict: 'accepted' }),
        (error: unknown) => ({ verdict: 'refused', ...(error as { code: string; check: string }) }),
      );
    const run = await inspect(token, 'orders-api');
    const result = run.json();
    expect(result.verdict).toBe(verdict.verdict);
    if (verdict.verdict === 'refused') {
      const { code, check } = verdict as { code: string; check: string };
      expect(result.checks.find((row) => row.status === 'fail')).toMatchObject({ code, check });
      expect(run.code).toBe(1);
      return;
    }
    // Accepted as a token, but authorize() refuses a token without any permission on every protected route.
    const isProtected = (entry: { reason: string }) => entry.reason !== 'anonymous: no token needed';
    const protectedRoutes = (result.routes?.routes ?? []).filter(isProtected);
    expect(protectedRoutes.length).toBeGreaterThan(5);
    for (const entry of protectedRoutes) {
      expect(entry).toMatchObject({ allowed: false, answer: '403 insufficient_scope', reason: expect.stringContaining('no permission at all') });
    }
  });

  it('a multi-tenant API that does not list the tenant: tenant_not_allowed, with the setting to change', async () => {
    const run = await inspect(await h.token('reader', 'orders-api'), 'orders-api', [], {
      AUTH_TENANT_ID: 'organizations',
      AUTH_ALLOWED_TENANTS: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
    });
    expect(run.code).toBe(1);
    expect(run.json().checks.find((row) => row.status === 'fail')).toMatchObject({
      code: 'tenant_not_allowed',
      check: 'claims.tid',
      expected: 'tid one of AUTH_ALLOWED_TENANTS: f8cdef31-a31e-4b4a-93e4-5f571e91255a',
      fix: expect.stringContaining('is not in AUTH_ALLOWED_TENANTS'),
    });
  });

  it('a multi-tenant API that does list it: accepted through the organizations metadata', async () => {
    const run = await inspect(await h.token('reader', 'orders-api'), 'orders-api', [], { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: h.standin.tenantId });
    expect(run.json().verdict).toBe('accepted');
    expect(run.code).toBe(0);
  });
});

describe('--offline', () => {
  it('makes no network call, skips the signature, key and issuer checks, and says it proved nothing', async () => {
    const token = await h.token('reader', 'orders-api');
    const before = fetches.length;
    const run = await inspect(token, 'orders-api', ['--offline']);
    expect(fetches).toHaveLength(before);
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result.verdict).toBe('passed-offline');
    expect(result.checks.filter((row) => row.status === 'skipped').length).toBeGreaterThanOrEqual(3);
    expect(result.checks.filter((row) => row.status === 'fail')).toEqual([]);
  });

  it('still refuses, offline, what needs no key: a token for another API', async () => {
    const before = fetches.length;
    const run = await inspect(await h.token('reader', 'orders-api'), 'orders-api-v1', ['--offline']);
    expect(fetches).toHaveLength(before);
    expect(run.code).toBe(1);
  });
});
