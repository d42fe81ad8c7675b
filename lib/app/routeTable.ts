import { anyOf, defineAuthPolicy, type AuthPolicy, type MethodPolicy } from '../../packages/azure-functions-entra-auth/src/authz/authPolicy';
import { DECLARED_PERMISSIONS } from './permissions';

/**
 * Every HTTP function: its route (under /api), and what each method demands.
 * This is the one place to read or change who may call what.
 */

const read = anyOf('Orders.Read', 'Orders.ReadWrite');
const write = anyOf('Orders.ReadWrite');
/** Daemons with the app role, or signed-in users through an app granted the scope. */
const canRead: MethodPolicy = { appRoles: read, scopes: read };
const canWrite: MethodPolicy = { appRoles: write, scopes: write };
/** Any one permission this API defines (infra/permissions.json): a token with none is never enough. */
const anyDeclaredPermission: MethodPolicy = {
  appRoles: anyOf(...DECLARED_PERMISSIONS.appRoles),
  scopes: anyOf(...DECLARED_PERMISSIONS.scopes),
};

const policy = <P extends AuthPolicy>(rules: P) => defineAuthPolicy(rules, DECLARED_PERMISSIONS);

export interface ProtectedRoute {
  readonly name: string;
  readonly route: string;
  readonly policy: AuthPolicy;
}

export const ROUTES = {
  health: { name: 'health', route: 'health', anonymous: true, methods: ['GET'] },
  /** The public keys of this app's identity assertions, for backends (see lib/signing). */
  jwks: { name: 'jwks', route: '.well-known/jwks.json', anonymous: true, methods: ['GET'] },
  me: { name: 'me', route: 'me', policy: policy({ GET: anyDeclaredPermission }) },
  orders: { name: 'orders', route: 'orders', policy: policy({ GET: canRead, POST: canWrite }) },
  order: { name: 'order', route: 'orders/{id}', policy: policy({ GET: canRead, PUT: canWrite, DELETE: canWrite }) },
  fulfilOrder: { name: 'fulfilOrder', route: 'orders/{id}/fulfil', policy: policy({ POST: canWrite }) },
  tenantOrders: {
    name: 'tenantOrders',
    route: 'tenants/{tenantId}/orders',
    policy: policy({ GET: { ...canRead, tenantRouteParam: 'tenantId' } }),
  },
} as const satisfies Record<string, ProtectedRoute | { name: string; route: string; anonymous: true; methods: readonly string[] }>;
