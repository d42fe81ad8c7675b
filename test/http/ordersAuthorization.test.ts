import type { HttpHandler } from '@azure/functions';
import { appRoutes } from '../../lib/app/routeTable';
import { loadDeclaredPermissions } from '../../lib/app/permissions';

const ROUTES = appRoutes(loadDeclaredPermissions());
import { MemoryOrderStore } from '../orders/support/memoryOrderStore';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import { OTHER_TENANT, type TokenOptions } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { startAuthFixture, type AuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';

/**
 * For every Orders route and method, each kind of caller against the status,
 * challenge and problem code it must get. Real tokens, real HttpRequest objects.
 */

const ORDER_ID = '3f1e6a7c-0b2d-4c8e-9f10-2a3b4c5d6e7f';
const BODY = JSON.stringify({ item: 'widget', quantity: 2 });

type Caller = { readonly name: string; readonly token: TokenOptions };
const callers = {
  appRead: { name: 'app-only, role Orders.Read (v2)', token: { kind: 'app', roles: ['Orders.Read'] } },
  appWrite: { name: 'app-only, role Orders.ReadWrite (v2)', token: { kind: 'app', roles: ['Orders.ReadWrite'] } },
  appBoth: { name: 'app-only, both roles (v2)', token: { kind: 'app', roles: ['Orders.Read', 'Orders.ReadWrite'] } },
  appNone: { name: 'app-only, no role assigned', token: { kind: 'app', roles: [] } },
  appV1Read: { name: 'app-only, role Orders.Read (v1)', token: { kind: 'app', version: '1.0', roles: ['Orders.Read'] } },
  appV1Write: { name: 'app-only, role Orders.ReadWrite (v1)', token: { kind: 'app', version: '1.0', roles: ['Orders.ReadWrite'] } },
  appScopesOnly: {
    name: 'app-only carrying scp Orders.ReadWrite but only role Orders.Read',
    token: { kind: 'app', roles: ['Orders.Read'], claims: { scp: 'Orders.ReadWrite' } },
  },
  userRead: { name: 'delegated, scope Orders.Read (v2)', token: { kind: 'delegated', scp: 'Orders.Read' } },
  userWrite: { name: 'delegated, scope Orders.ReadWrite (v2)', token: { kind: 'delegated', scp: 'User.Read Orders.ReadWrite' } },
  userV1Write: { name: 'delegated, scope Orders.ReadWrite (v1)', token: { kind: 'delegated', version: '1.0', scp: 'Orders.ReadWrite' } },
  userNone: { name: 'delegated, unrelated scope', token: { kind: 'delegated', scp: 'User.Read' } },
  userCaseWrong: { name: 'delegated, scope orders.readwrite (wrong case)', token: { kind: 'delegated', scp: 'orders.readwrite' } },
  userRolesOnly: {
    name: 'delegated with role Orders.ReadWrite but scope Orders.Read',
    token: { kind: 'delegated', scp: 'Orders.Read', roles: ['Orders.ReadWrite'] },
  },
  otherTenant: { name: 'another tenant', token: { kind: 'app', roles: ['Orders.ReadWrite'], tenant: OTHER_TENANT } },
} satisfies Record<string, Caller>;

type Expectation = 'ok' | 'forbidden' | 'unauthorized';
interface Operation {
  readonly label: string;
  readonly method: string;
  readonly route: keyof typeof handlers;
  readonly okStatus: number;
  readonly write: boolean;
}

const operations: Operation[] = [
  { label: 'GET /api/orders', method: 'GET', route: 'orders', okStatus: 200, write: false },
  { label: 'GET /api/orders/{id}', method: 'GET', route: 'order', okStatus: 404, write: false },
  { label: 'POST /api/orders', method: 'POST', route: 'orders', okStatus: 201, write: true },
  { label: 'PUT /api/orders/{id}', method: 'PUT', route: 'order', okStatus: 404, write: true },
  { label: 'DELETE /api/orders/{id}', method: 'DELETE', route: 'order', okStatus: 404, write: true },
];

function expected(caller: keyof typeof callers, write: boolean): Expectation {
  if (caller === 'otherTenant') return 'unauthorized';
  const canRead = ['appRead', 'appWrite', 'appBoth', 'appV1Read', 'appV1Write', 'appScopesOnly', 'userRead', 'userWrite', 'userV1Write', 'userRolesOnly'];
  const canWrite = ['appWrite', 'appBoth', 'appV1Write', 'userWrite', 'userV1Write'];
  return (write ? canWrite : canRead).includes(caller) ? 'ok' : 'forbidden';
}

let f: AuthFixture;
const handlers: Record<'orders' | 'order', HttpHandler> = {} as never;

beforeAll(async () => {
  f = await startAuthFixture();
  const api = createOrdersApi(new MemoryOrderStore());
  handlers.orders = f.routeHandler(ROUTES.orders, { GET: api.list, POST: api.create });
  handlers.order = f.routeHandler(ROUTES.order, { GET: api.get, PUT: api.replace, DELETE: api.remove });
});
afterAll(() => f.stop());

const cases = operations.flatMap((operation) =>
  (Object.keys(callers) as (keyof typeof callers)[]).map((caller) => [operation.label, callers[caller].name, operation, caller, expected(caller, operation.write)] as const),
);

it.each(cases)('%s as %s', async (_label, _name, operation, caller, expectation) => {
  const route = ROUTES[operation.route];
  const response = await invokeHttp(handlers[operation.route], {
    method: operation.method,
    route: route.route,
    path: operation.route === 'order' ? `orders/${ORDER_ID}` : 'orders',
    params: operation.route === 'order' ? { id: ORDER_ID } : {},
    headers: {
      authorization: `Bearer ${await f.token(callers[caller].token)}`,
      'content-type': 'application/json',
      // A replacement names the version it replaces; without If-Match an authorized PUT is a 428.
      ...(operation.method === 'PUT' && { 'if-match': 'W/"1"' }),
    },
    ...(operation.method === 'POST' || operation.method === 'PUT' ? { body: BODY } : {}),
  });
  const challenge = response.headers.get('www-authenticate');
  if (expectation === 'ok') {
    expect(response.status).toBe(operation.okStatus);
    expect(challenge).toBeNull();
  } else if (expectation === 'forbidden') {
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 403, code: 'insufficient_scope', invocationId: response.invocationId });
    const scope = operation.write ? 'Orders.ReadWrite' : 'Orders.Read Orders.ReadWrite';
    // An app with no role at all is told so: tokens without permissions are refused on every route.
    const description =
      caller === 'appNone'
        ? 'The calling app holds no app role for this API; an administrator must assign it one of the app roles this API defines.'
        : 'The access token lacks the permission this operation requires.';
    expect(challenge).toBe(`Bearer realm="api://orders-api", error="insufficient_scope", error_description="${description}", scope="${scope}"`);
    expect(response.body).toMatchObject({ detail: description });
  } else {
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ status: 401, code: 'tenant_not_allowed' });
    expect(challenge).toMatch(/^Bearer realm="api:\/\/orders-api", error="invalid_token", error_description="[^"]+"$/);
  }
});
