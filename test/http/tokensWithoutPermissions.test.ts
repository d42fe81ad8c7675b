import type { HttpHandler } from '@azure/functions';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';

const ROUTES = appRoutes(loadDeclaredPermissions());
import { ANY_VALID_TOKEN, anyOf, defineAuthPolicy, type AuthPolicy } from 'azure-functions-entra-auth';
import { createGuard, methodsOf } from '../../packages/azure-functions-entra-auth/src/functions/withAuth';
import { CALLER_APP } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { REALM, RecordingObserver, startAuthFixture, type AuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
const DECLARED_PERMISSIONS = loadDeclaredPermissions();

/**
 * Entra issues a token for this API, with neither `roles` nor `scp`, to any app in
 * the tenant that asks (unless assignment is required). Such a token is never
 * enough, on any route, unless an allow-listed caller app is explicitly let in.
 */

const NO_ROLE_DETAIL = 'The calling app holds no app role for this API; an administrator must assign it one of the app roles this API defines.';

let f: AuthFixture;
beforeAll(async () => {
  f = await startAuthFixture();
});
afterAll(() => f.stop());

const anyToken = defineAuthPolicy({ GET: ANY_VALID_TOKEN });
const ordersRead = defineAuthPolicy({ GET: { appRoles: anyOf('Orders.Read'), scopes: anyOf('Orders.Read') } });
const ok: Parameters<AuthFixture['withAuth']>[0] = () => ({ status: 200 });

describe.each([
  ['ANY_VALID_TOKEN', anyToken, undefined],
  ['a route requiring Orders.Read', ordersRead, 'Orders.Read'],
])('an app-only token without any role, on %s', (_name, policy, scope) => {
  it.each([
    ['roles: []', { roles: [] }],
    ['no roles claim at all', { claims: { roles: undefined } }],
    ['no roles and an empty scp', { claims: { roles: undefined, scp: '' } }],
  ])('is refused with 403 insufficient_scope saying the app holds no app role (%s)', async (_shape, token) => {
    const handler = f.withAuth(ok, policy);
    const response = await invokeHttp(handler, { headers: { authorization: `Bearer ${await f.token({ kind: 'app', ...token })}` } });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'insufficient_scope', detail: NO_ROLE_DETAIL });
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="insufficient_scope", error_description="${NO_ROLE_DETAIL}"${scope ? `, scope="${scope}"` : ''}`,
    );
    expect(f.observer.failures.at(-1)).toMatchObject({ code: 'insufficient_scope', check: 'caller.no_permissions', status: 403, clientAppId: CALLER_APP });
  });
});

describe('anything that is not an access token', () => {
  it.each([
    ['an ID token (no azp, aud the client ID)', { kind: 'delegated' as const, claims: { azp: undefined, azpacr: undefined, scp: undefined, nonce: 'n-0S6_WzA2Mj' } }],
    ['a user token with neither scp nor roles', { kind: 'delegated' as const, claims: { scp: undefined } }],
  ])('is 401 not_access_token: %s', async (_name, token) => {
    const handler = f.withAuth(ok, anyToken);
    const response = await invokeHttp(handler, { headers: { authorization: `Bearer ${await f.token(token)}` } });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'not_access_token' });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('GET /api/me', () => {
  const me = (): HttpHandler => f.routeHandler(ROUTES.me, { GET: (_r, _c, principal) => ({ status: 200, jsonBody: principal }) });

  it('needs one of the permissions infra/permissions.json defines', () => {
    expect(ROUTES.me.policy.GET).toEqual({ appRoles: { anyOf: DECLARED_PERMISSIONS.appRoles }, scopes: { anyOf: DECLARED_PERMISSIONS.scopes } });
  });

  it.each([
    ['an app with Orders.Read', { kind: 'app' as const, roles: ['Orders.Read'] }],
    ['an app with Orders.ReadWrite', { kind: 'app' as const, roles: ['Orders.ReadWrite'] }],
    ['a user with scope Orders.Read', { kind: 'delegated' as const, scp: 'Orders.Read' }],
  ])('answers %s', async (_name, token) => {
    const response = await invokeHttp(me(), { route: 'me', headers: { authorization: `Bearer ${await f.token(token)}` } });
    expect(response.status).toBe(200);
  });

  it.each([
    // Revocations.Manage is an app role only: no delegated scope exists for it.
    ['an app with no role', { kind: 'app' as const, roles: [] }, 'caller.no_permissions', ['Orders.Read', 'Orders.ReadWrite', 'Revocations.Manage']],
    ['an app whose only role this API does not define', { kind: 'app' as const, roles: ['Something.Else'] }, 'claims.roles', ['Orders.Read', 'Orders.ReadWrite', 'Revocations.Manage']],
    ['a user whose only scope this API does not define', { kind: 'delegated' as const, scp: 'User.Read' }, 'claims.scp', ['Orders.Read', 'Orders.ReadWrite']],
  ])('refuses %s with 403', async (_name, token, check, required) => {
    const response = await invokeHttp(me(), { route: 'me', headers: { authorization: `Bearer ${await f.token(token)}` } });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'insufficient_scope', required: { anyOf: required } });
    expect(f.observer.failures.at(-1)).toMatchObject({ check });
  });
});

describe('AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS (the caller list is the access control)', () => {
  const observer = new RecordingObserver();
  const aclMode = () => {
    const guard = createGuard({ verifier: f.harness.verifier, observer, realm: REALM, authorize: { allowTokensWithoutPermissions: true } });
    return (handler: typeof ok, policy: AuthPolicy) => guard(methodsOf(policy, () => handler));
  };

  it('admits an app-only token without a role on ANY_VALID_TOKEN', async () => {
    const response = await invokeHttp(aclMode()(ok, anyToken), { headers: { authorization: `Bearer ${await f.token({ kind: 'app', roles: [] })}` } });
    expect(response.status).toBe(200);
  });

  it('still refuses it where the route names a permission', async () => {
    const response = await invokeHttp(aclMode()(ok, ordersRead), { headers: { authorization: `Bearer ${await f.token({ kind: 'app', roles: [] })}` } });
    expect(response.status).toBe(403);
    expect(observer.failures.at(-1)).toMatchObject({ code: 'insufficient_scope', check: 'claims.roles' });
  });

  it('is off by default', async () => {
    const response = await invokeHttp(f.withAuth(ok, anyToken), { headers: { authorization: `Bearer ${await f.token({ kind: 'app', roles: [] })}` } });
    expect(response.status).toBe(403);
  });
});
