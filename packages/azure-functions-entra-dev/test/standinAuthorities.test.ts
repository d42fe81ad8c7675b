import { anyOf, createEntraAuth } from 'azure-functions-entra-auth';
import { invoke, startLocalEntra, type LocalEntra } from '../src/testing/localEntra';

/**
 * Issue 22 item 4: the local stand-in as a workforce tenant, an External ID tenant
 * (/_ciam, issuer host label the tenant GUID) and a B2C tenant (/_b2c, one document per
 * user flow), each verified by its own authority of one app over real HTTPS.
 */

let kit: LocalEntra;
beforeAll(async () => {
  kit = await startLocalEntra();
});
afterAll(() => kit.stop());

it('issues a token of each authority kind, and each verifies by its own authority, which the principal names', async () => {
  const api = kit.registry.apiByName('orders-api');
  if (!api) throw new Error('the registry lacks orders-api');
  const scope = api.scopes[0]?.value ?? '';
  // Each kind is a tenant of its own, with its own ID: the registry's externalIdTenant and b2cTenant.
  const ciam = kit.registry.externalIdTenant;
  const b2c = kit.registry.b2cTenant;
  const nameOf = (domain: string) => domain.split('.')[0] ?? '';
  expect(new Set([kit.tenantId, ciam.id, b2c.id]).size).toBe(3);
  const settings = kit.settings('orders-api');
  const auth = createEntraAuth({
    env: { AUTH_INSTANCE_CA_FILE: settings.AUTH_INSTANCE_CA_FILE ?? '' },
    authorities: [
      { name: 'employees', kind: 'workforce', tenantId: kit.tenantId, clientId: api.clientId, appIdUri: api.appIdUri, instance: kit.url },
      { name: 'customers', kind: 'externalId', tenantId: ciam.id, tenantName: nameOf(ciam.domain), clientId: api.clientId, discoveryBase: `${kit.url}/_ciam` },
      { name: 'legacy', kind: 'b2c', tenantId: b2c.id, tenantName: nameOf(b2c.domain), clientId: api.clientId, userFlows: ['B2C_1_signupsignin'], discoveryBase: `${kit.url}/_b2c` },
    ],
  });
  const handler = auth.withAuth((_request, _context, principal) => ({ status: 200, jsonBody: { authority: principal.authority, userFlow: principal.userFlow ?? null } }), {
    GET: { scopes: anyOf(scope) },
  });
  const call = async (token: string) => invoke(handler, { method: 'GET', url: 'https://localhost/api/me', headers: { authorization: `Bearer ${token}` } });

  const employee = await kit.token({ api: 'orders-api', kind: 'delegated', scopes: [scope] });
  const customer = await kit.token({ api: 'orders-api', kind: 'delegated', scopes: [scope], authority: 'externalId' });
  const legacy = await kit.token({ api: 'orders-api', kind: 'delegated', scopes: [scope], authority: 'b2c' });
  expect(await call(employee)).toMatchObject({ status: 200, body: { authority: 'employees', userFlow: null } });
  expect(await call(customer)).toMatchObject({ status: 200, body: { authority: 'customers', userFlow: null } });
  expect(await call(legacy)).toMatchObject({ status: 200, body: { authority: 'legacy', userFlow: 'B2C_1_signupsignin' } });

  // A user flow the app does not accept, and a B2C token dressed in the workforce issuer, are refused.
  expect((await call(await kit.token({ api: 'orders-api', kind: 'delegated', scopes: [scope], authority: 'b2c', userFlow: 'B2C_1_other' }))).status).toBe(401);
  expect((await call(await kit.token({ api: 'orders-api', kind: 'delegated', scopes: [scope], authority: 'b2c', claims: { iss: `${kit.url}/${kit.tenantId}/v2.0` } }))).status).toBe(401);
});

it('refuses a discoveryBase that is not loopback: nothing dev-only may name a host reachable in Azure', () => {
  expect(() =>
    createEntraAuth({
      authorities: [{ name: 'customers', kind: 'externalId', tenantId: kit.tenantId, tenantName: 'contoso', clientId: kit.tenantId, discoveryBase: 'https://standin.example.net/_ciam' }],
    }),
  ).toThrow(/AUTH_AUTHORITIES\[0\]\.discoveryBase.*loopback/);
});
