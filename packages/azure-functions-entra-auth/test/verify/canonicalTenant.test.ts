import { ANY_VALID_TOKEN, anyOf, defineAuthPolicy } from '../../src/authz/authPolicy';
import type { Principal } from '../../src/authz/principal';
import { startAuthFixture, type AuthFixture } from '../support/authFixture';
import { OTHER_TENANT, TENANT } from '../support/entraTokens';
import { invokeHttp } from '../support/invokeHttp';
import { outcome } from '../support/verifierHarness';

/** Spellings of a tenant GUID that Entra never issues in `tid`. */
const NON_CANONICAL = [
  ['upper case', (tid: string) => tid.toUpperCase()],
  ['one upper-case letter', (tid: string) => tid.replace(/[a-f]/, (letter) => letter.toUpperCase())],
  ['braces', (tid: string) => `{${tid}}`],
  ['no hyphens', (tid: string) => tid.replaceAll('-', '')],
] as const;

describe.each([
  ['a single-tenant API', {}],
  ['a multi-tenant API accepting any tenant (AUTH_ALLOWED_TENANTS=*)', { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: '*' }],
  ['a multi-tenant API with an allow-list', { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: `${TENANT.toUpperCase()},${OTHER_TENANT}` }],
])('tid in %s', (_mode, env: Record<string, string>) => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await startAuthFixture({ env });
  });
  afterAll(() => f.stop());

  it.each(NON_CANONICAL)('refuses a tid spelt with %s, even with an issuer spelt the same way', async (_spelling, spell) => {
    const tid = spell(TENANT);
    const token = await f.token({ claims: { tid, iss: `${f.harness.server.url}/${tid}/v2.0` } });
    await expect(f.harness.verifier.verify(token)).rejects.toMatchObject({ code: 'claim_invalid', check: 'claims.tid' });
  });

  it('accepts the canonical tid, and the same string is the tenant everywhere', async () => {
    const seen: Principal[] = [];
    const handler = f.withAuth(
      (_request, _context, principal) => {
        seen.push(principal);
        return { status: 200 };
      },
      defineAuthPolicy({ GET: { appRoles: anyOf('Orders.Read'), scopes: anyOf('Orders.Read'), tenantRouteParam: 'tenantId' } }),
    );
    const token = await f.token();
    expect((await f.harness.verifier.verify(token)).tenantId).toBe(TENANT);
    const response = await invokeHttp(handler, { route: 'tenants/{tenantId}/orders', params: { tenantId: TENANT }, headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(seen.map((principal) => principal.tenantId)).toEqual([TENANT]);
    expect(f.observer.successes.at(-1)).toMatchObject({ tenantId: TENANT, route: 'tenants/{tenantId}/orders' });
  });

  it('reports a refused non-canonical tid as claim_invalid, whatever the route policy', async () => {
    const handler = f.withAuth(() => ({ status: 200 }), defineAuthPolicy({ GET: ANY_VALID_TOKEN }));
    const tid = TENANT.toUpperCase();
    const token = await f.token({ claims: { tid, iss: `${f.harness.server.url}/${tid}/v2.0` } });
    expect(await outcome(f.harness.verifier, token)).toBe('claim_invalid');
    const response = await invokeHttp(handler, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    // Telemetry reports the tenant's one ID (unverified: the token was refused), whatever the spelling it was refused for.
    expect(f.observer.failures.at(-1)).toMatchObject({ code: 'claim_invalid', check: 'claims.tid', unverifiedTenantId: TENANT });
  });
});
