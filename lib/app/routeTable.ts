import { anyOf, defineAuthPolicy, defineRoute, type DeclaredPermissions, type MethodPolicy } from 'azure-functions-entra-auth';

/**
 * Every HTTP function: its route (under /api), and what each method demands. This is
 * the one place to read or change who may call what. Built once by the composition
 * root from the permissions the app declares, and every name is checked against them.
 */
export function appRoutes(declared: DeclaredPermissions) {
  const read = anyOf('Orders.Read', 'Orders.ReadWrite');
  const write = anyOf('Orders.ReadWrite');
  /**
   * Orders are the staff's: a workforce tenant's daemons and signed-in employees. Orders are
   * kept per tenant, and every customer of an External ID or B2C tenant shares that tenant,
   * so a customer let in here would read other customers' orders: those kinds are refused
   * in every deployment (authorityKinds), whatever AUTH_AUTHORITIES calls them.
   */
  const staff = { authorityKinds: ['workforce'] } as const;
  /** Daemons with the app role, or signed-in users through an app granted the scope. */
  const canRead: MethodPolicy = { appRoles: read, scopes: read, ...staff };
  const canWrite: MethodPolicy = { appRoles: write, scopes: write, ...staff };
  /**
   * The deny list's admin API: the staff's daemons holding the app role only (no delegated scope exists).
   * Under manage/, not admin/: the Functions host refuses routes that start with "admin".
   */
  const manageRevocations: MethodPolicy = { appRoles: anyOf('Revocations.Manage'), ...staff };
  /**
   * Any one permission this API defines (infra/permissions.json), from any configured
   * authority (employees and customers alike): a token with none is never enough.
   */
  const anyDeclaredPermission: MethodPolicy = { appRoles: anyOf(...declared.appRoles), scopes: anyOf(...declared.scopes) };
  const route = <const P extends Parameters<typeof defineAuthPolicy>[0]>(name: string, path: string, policy: P) =>
    defineRoute(name, path, defineAuthPolicy(policy, declared));

  return Object.freeze({
    health: { name: 'health', route: 'health', anonymous: true, methods: ['GET'] },
    /** The public keys of this app's identity assertions, for backends (see lib/signing). */
    jwks: { name: 'jwks', route: '.well-known/jwks.json', anonymous: true, methods: ['GET'] },
    /** This API's OpenAPI 3.1 document, made from this table (lib/openapi); OPENAPI_DOCUMENT=off leaves it unregistered. */
    openapi: { name: 'openapi', route: 'openapi.json', anonymous: true, methods: ['GET'] },
    me: route('me', 'me', { GET: anyDeclaredPermission }),
    orders: route('orders', 'orders', { GET: canRead, POST: canWrite }),
    order: route('order', 'orders/{id}', { GET: canRead, PUT: canWrite, DELETE: canWrite }),
    fulfilOrder: route('fulfilOrder', 'orders/{id}/fulfil', { POST: canWrite }),
    revocations: route('revocations', 'manage/revocations', { GET: manageRevocations, POST: manageRevocations }),
    revocation: route('revocation', 'manage/revocations/{id}', { GET: manageRevocations, DELETE: manageRevocations }),
    tenantOrders: route('tenantOrders', 'tenants/{tenantId}/orders', { GET: { ...canRead, tenantRouteParam: 'tenantId' } }),
  } as const);
}

export type AppRoutes = ReturnType<typeof appRoutes>;
