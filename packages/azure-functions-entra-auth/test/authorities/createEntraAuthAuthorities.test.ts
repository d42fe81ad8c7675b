import { createEntraAuth } from '../../src/createEntraAuth';
import { anyOf } from '../../src/authz/authPolicy';
import { claimEquals } from '../../src/authz/claimRules';
import { defineRoute } from '../../src/functions/protectedRoute';
import { accessTokenClaims, createTestKey, signToken, TENANT } from '../support/entraTokens';
import { FakeAuthorities } from '../support/fakeAuthorities';
import { invokeHttp } from '../support/invokeHttp';

/** Issue 22 through the app-facing builder: the option, the startup checks, one request end to end. */

const EMPLOYEES_API = '11111111-1111-4111-8111-111111111111';
const CUSTOMERS_TENANT = '22222222-2222-4222-8222-222222222222';
const authorities = [
  { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: EMPLOYEES_API, appIdUri: 'api://orders-api' },
  { name: 'customers', kind: 'externalId', tenantId: CUSTOMERS_TENANT, tenantName: 'contosocustomers', clientId: '33333333-3333-4333-8333-333333333333' },
] as const;

describe('createEntraAuth with several authorities', () => {
  it('routes each token to its authority and checks route policies against the configured authorities at startup', async () => {
    const key = createTestKey('employees-key');
    const fake = await new FakeAuthorities().workforce(TENANT, [key.publicJwk]).start();
    try {
      const auth = createEntraAuth({ authorities, fetch: fake.fetch });
      expect(auth.settings.authorities.map((a) => a.name)).toEqual(['employees', 'customers']);
      expect(auth.realm).toBe('api://orders-api');

      const admin = defineRoute('admin', 'admin', { GET: { appRoles: anyOf('Orders.Read'), authorities: ['employees'] } });
      const handler = auth.routeHandler(admin, { GET: (_request, _context, principal) => ({ status: 200, jsonBody: { authority: principal.authority } }) });
      const token = await signToken(key, accessTokenClaims({ claims: { aud: EMPLOYEES_API } }));
      const response = await invokeHttp(handler, { headers: { authorization: `Bearer ${token}` } });
      expect(response).toMatchObject({ status: 200, body: { authority: 'employees' } });

      expect(() => auth.policy({ GET: { appRoles: anyOf('Orders.Read'), authorities: ['partners'] } })).toThrow(/authority "partners" is not configured/);
      expect(() => auth.policy({ GET: { appRoles: anyOf('Orders.Read'), claims: [claimEquals('tfp', 'B2C_1_signin')] } })).toThrow(/only b2c authorities issue/);
    } finally {
      await fake.stop();
    }
  });

  it('keeps the AUTH_* form: one authority named default, and a policy naming another authority is refused', () => {
    const auth = createEntraAuth({ tenantId: TENANT, clientId: EMPLOYEES_API });
    expect(auth.settings.authorities.map((a) => [a.name, a.kind])).toEqual([['default', 'workforce']]);
    expect(() => auth.policy({ GET: { appRoles: anyOf('Orders.Read'), authorities: ['employees'] } })).toThrow(/not configured/);
  });
});
