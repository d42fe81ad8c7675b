import { anyOf, createEntraAuth, defineRoute, describeProtectedHandler, ANY_VALID_TOKEN } from '../../src';

const env = { AUTH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AUTH_CLIENT_ID: '6e74172b-be56-4843-9ff4-e66a39bb12e3', AUTH_APP_ID_URI: 'api://invoices-api' };
// Never fetched: building handlers makes no request.
const fetch = () => Promise.reject(new Error('no network in this test'));

describe('what a protected handler enforces, read back from the handler', () => {
  const auth = createEntraAuth({ env, fetch, permissions: { appRoles: ['Invoices.Read', 'Invoices.Write'], scopes: ['Invoices.Read'] } });

  it('routeHandler: each method’s checked rule, the settings and the realm', () => {
    const route = defineRoute('invoices', 'invoices', { GET: { appRoles: anyOf('Invoices.Read'), scopes: anyOf('Invoices.Read') }, POST: { appRoles: anyOf('Invoices.Write') } });
    const handler = auth.routeHandler(route, { GET: () => ({ status: 200 }), POST: () => ({ status: 201 }) });
    const description = describeProtectedHandler(handler);
    expect(description?.policy).toEqual(route.policy);
    expect(description?.realm).toBe('api://invoices-api');
    expect(description?.settings).toBe(auth.settings);
    // Hidden and fixed: not enumerable on the function, and not replaceable.
    expect(Object.keys(handler)).toEqual([]);
    expect(Object.isFrozen(description)).toBe(true);
  });

  it('withAuth: the policy it was given', () => {
    const handler = auth.withAuth(() => ({ status: 204 }), { DELETE: ANY_VALID_TOKEN });
    expect(Object.keys(describeProtectedHandler(handler)?.policy ?? {})).toEqual(['DELETE']);
  });

  it.each([
    ['a plain function', () => undefined],
    ['an object', {}],
    ['undefined', undefined],
  ])('nothing for %s', (_name, value) => {
    expect(describeProtectedHandler(value)).toBeUndefined();
  });
});
