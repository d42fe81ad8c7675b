import { ANY_VALID_TOKEN, allOf, anyOf, defineAuthPolicy, type AuthPolicy } from '../../src/authz/authPolicy';
import { authorize } from '../../src/authz/authorize';
import type { Principal } from '../../src/authz/principal';

const known = { appRoles: ['Orders.Read', 'Orders.ReadWrite', 'Admin'], scopes: ['Orders.Read', 'Orders.ReadWrite'] };

describe('defineAuthPolicy refuses misuse at setup with a TypeError', () => {
  it.each<[string, AuthPolicy]>([
    ['an empty policy', {}],
    ['a lower-case method', { get: { appRoles: anyOf('Orders.Read') } } as unknown as AuthPolicy],
    ['a method that lets nobody in', { GET: {} }],
    ['an empty anyOf', { GET: { appRoles: anyOf() } }],
    ['an empty allOf', { GET: { scopes: allOf() } }],
    ['a name with a space', { GET: { appRoles: anyOf('Orders Read') } }],
    ['userRoles without scopes', { GET: { appRoles: anyOf('Orders.Read'), userRoles: anyOf('Admin') } }],
    ['a role the permissions file does not declare', { GET: { appRoles: anyOf('Orders.Delete') } }],
    ['a scope the permissions file does not declare', { GET: { scopes: anyOf('Admin') } }],
    ['an undefined rule', { GET: undefined } as unknown as AuthPolicy],
  ])('%s', (_name, policy) => {
    expect(() => defineAuthPolicy(policy, known)).toThrow(TypeError);
  });

  it('returns a frozen policy', () => {
    const policy = defineAuthPolicy({ GET: ANY_VALID_TOKEN }, known);
    expect(Object.isFrozen(policy)).toBe(true);
  });
});

describe('authorize', () => {
  const principal = (overrides: Partial<Principal>): Principal =>
    ({ tenantId: 't', clientAppId: 'c', isAppOnly: true, roles: [], scopes: [], tokenVersion: '2.0', keyId: 'k', objectId: 'o', subject: 'o', claims: {}, ...overrides }) as Principal;

  it('needs every name of an allOf', () => {
    const rule = { appRoles: allOf('Orders.Read', 'Admin') };
    expect(authorize(principal({ roles: ['Orders.Read'] }), rule, {})).toMatchObject({ allowed: false, refusal: { code: 'insufficient_scope', check: 'claims.roles' } });
    expect(authorize(principal({ roles: ['Admin', 'Orders.Read'] }), rule, {})).toEqual({ allowed: true });
  });

  it('needs one name of an anyOf', () => {
    const rule = { appRoles: anyOf('Orders.Read', 'Admin') };
    expect(authorize(principal({ roles: ['Admin'] }), rule, {})).toEqual({ allowed: true });
  });

  it('never lets a delegated caller pass on roles, nor an app-only caller on scopes', () => {
    const rule = { appRoles: anyOf('Orders.ReadWrite'), scopes: anyOf('Orders.Read') };
    expect(authorize(principal({ isAppOnly: false, roles: ['Orders.ReadWrite'], scopes: [] }), rule, {})).toMatchObject({ allowed: false, refusal: { code: 'insufficient_scope', check: 'claims.scp' } });
    expect(authorize(principal({ isAppOnly: true, roles: [], scopes: ['Orders.Read'] }), rule, {})).toMatchObject({ allowed: false, refusal: { code: 'insufficient_scope', check: 'claims.roles' } });
  });

  it('with userRoles, needs the scope and the user role together', () => {
    const rule = { scopes: anyOf('Orders.Read'), userRoles: anyOf('Admin') };
    expect(authorize(principal({ isAppOnly: false, scopes: ['Orders.Read'] }), rule, {})).toMatchObject({ allowed: false, refusal: { code: 'insufficient_scope', check: 'claims.roles' } });
    expect(authorize(principal({ isAppOnly: false, scopes: ['Orders.Read'], roles: ['Admin'] }), rule, {})).toEqual({ allowed: true });
  });

  it('matches names exactly, case included', () => {
    expect(authorize(principal({ roles: ['orders.read'] }), { appRoles: anyOf('Orders.Read') }, {})).toMatchObject({ allowed: false });
  });
});
