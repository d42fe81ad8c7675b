import type { HttpHandler } from '@azure/functions';
import { ROUTES } from '../../lib/app/routeTable';
import { protectedHandler } from '../../lib/app/registerRoutes';
import { InMemoryOrderStore } from '../../lib/orders/inMemoryOrderStore';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import { OTHER_TENANT, TENANT } from '../support/entraTokens';
import { startAuthFixture, type AuthFixture } from '../support/authFixture';
import { invokeHttp, type InvokeResult } from '../support/invokeHttp';

let f: AuthFixture;
let orders: HttpHandler;
let order: HttpHandler;
let tenantOrders: HttpHandler;

beforeAll(async () => {
  // A multi-tenant API serving two tenants, to prove they never see each other's orders.
  f = await startAuthFixture({ env: { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` } });
  const api = createOrdersApi(new InMemoryOrderStore({ maxOrdersPerTenant: 5 }));
  orders = protectedHandler(f.withAuth, ROUTES.orders, { GET: api.list, POST: api.create });
  order = protectedHandler(f.withAuth, ROUTES.order, { GET: api.get, PUT: api.replace, DELETE: api.remove });
  tenantOrders = protectedHandler(f.withAuth, ROUTES.tenantOrders, { GET: api.list });
});
afterAll(() => f.stop());

const writer = (tenant = TENANT) => f.token({ tenant, roles: ['Orders.ReadWrite'] });
const json = { 'content-type': 'application/json' };

async function create(tenant: string, body: unknown): Promise<InvokeResult> {
  return invokeHttp(orders, { method: 'POST', headers: { authorization: `Bearer ${await writer(tenant)}`, ...json }, body: JSON.stringify(body) });
}

function idOf(result: InvokeResult): string {
  return (result.body as { id: string }).id;
}

describe('tenant isolation', () => {
  it('lists, reads, replaces and deletes only orders of the caller tenant', async () => {
    const mine = await create(TENANT, { item: 'mine', quantity: 1 });
    const theirs = await create(OTHER_TENANT, { item: 'theirs', quantity: 1 });
    expect(mine.status).toBe(201);
    expect(mine.headers.get('location')).toBe(`/api/orders/${idOf(mine)}`);
    expect(mine.body).toMatchObject({ tenantId: TENANT, item: 'mine', quantity: 1, createdBy: { clientAppId: expect.any(String) } });

    const listed = await invokeHttp(orders, { headers: { authorization: `Bearer ${await writer(TENANT)}` } });
    expect((listed.body as { value: { item: string }[] }).value.map((o) => o.item)).toEqual(['mine']);

    const auth = { authorization: `Bearer ${await writer(TENANT)}` };
    const theirId = idOf(theirs);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await invokeHttp(order, {
        method,
        route: 'orders/{id}',
        params: { id: theirId },
        headers: { ...auth, ...json },
        ...(method === 'PUT' && { body: JSON.stringify({ item: 'stolen', quantity: 9 }) }),
      });
      expect(response.status).toBe(404);
    }
    const stillTheirs = await invokeHttp(order, { route: 'orders/{id}', params: { id: theirId }, headers: { authorization: `Bearer ${await writer(OTHER_TENANT)}` } });
    expect(stillTheirs.body).toMatchObject({ item: 'theirs', quantity: 1 });
  });

  it('answers 403 tenant_mismatch when the route tenant is not the token tenant', async () => {
    const response = await invokeHttp(tenantOrders, {
      route: 'tenants/{tenantId}/orders',
      functionName: 'tenantOrders',
      params: { tenantId: OTHER_TENANT },
      headers: { authorization: `Bearer ${await writer(TENANT)}` },
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'tenant_mismatch' });
    expect(f.observer.failures.at(-1)).toMatchObject({ code: 'tenant_mismatch', check: 'route.tenantId', tenantId: TENANT, route: 'tenants/{tenantId}/orders' });
  });

  it('serves the tenant route for the token tenant, in any letter case', async () => {
    const response = await invokeHttp(tenantOrders, {
      route: 'tenants/{tenantId}/orders',
      params: { tenantId: TENANT.toUpperCase() },
      headers: { authorization: `Bearer ${await writer(TENANT)}` },
    });
    expect(response.status).toBe(200);
  });
});

describe('request validation', () => {
  it.each([
    ['a missing item', { quantity: 1 }, 'item'],
    ['a non-integer quantity', { item: 'x', quantity: 1.5 }, 'quantity'],
    ['a zero quantity', { item: 'x', quantity: 0 }, 'quantity'],
    ['a string quantity', { item: 'x', quantity: '2' }, 'quantity'],
    ['a blank item', { item: '   ', quantity: 1 }, 'item'],
  ])('answers %s with 400 naming the field', async (_name, body, field) => {
    const response = await create(TENANT, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_body', field });
    expect((response.body as { detail: string }).detail).toContain(`Field ${field}`);
  });
  // Unknown members and bodies that are not objects: test/http/bodyEcho.test.ts (nothing is echoed).

  it('answers a body that is not JSON with 400 invalid_json', async () => {
    const response = await invokeHttp(orders, { method: 'POST', headers: { authorization: `Bearer ${await writer()}`, ...json }, body: '{"item":' });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
  });

  it('answers another content type with 415', async () => {
    const response = await invokeHttp(orders, {
      method: 'POST',
      headers: { authorization: `Bearer ${await writer()}`, 'content-type': 'text/plain' },
      body: 'item=x',
    });
    expect(response).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
  });

  it('answers an oversized body with 413', async () => {
    const response = await create(TENANT, { item: 'x', quantity: 1, note: 'n'.repeat(70_000) });
    expect(response).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
  });

  it('answers an order id that is not a GUID with 400 naming the field', async () => {
    const response = await invokeHttp(order, { route: 'orders/{id}', params: { id: '../../etc/passwd' }, headers: { authorization: `Bearer ${await writer()}` } });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_parameter', field: 'id' } });
  });

  it('replaces an order and clears fields the replacement leaves out', async () => {
    const created = await create(TENANT, { item: 'a', quantity: 1, note: 'fragile' });
    const response = await invokeHttp(order, {
      method: 'PUT',
      route: 'orders/{id}',
      params: { id: idOf(created) },
      headers: { authorization: `Bearer ${await writer()}`, ...json },
      body: JSON.stringify({ item: 'b', quantity: 3 }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: idOf(created), item: 'b', quantity: 3 });
    expect(response.body).not.toHaveProperty('note');
  });

  it('deletes an order with 204, then it is gone', async () => {
    const created = await create(TENANT, { item: 'gone', quantity: 1 });
    const auth = { authorization: `Bearer ${await writer()}` };
    const options = { route: 'orders/{id}', params: { id: idOf(created) }, headers: auth };
    expect((await invokeHttp(order, { ...options, method: 'DELETE' })).status).toBe(204);
    expect((await invokeHttp(order, options)).status).toBe(404);
  });

  it('bounds the sample store per tenant with 409', async () => {
    const tenant = OTHER_TENANT;
    let last: InvokeResult | undefined;
    for (let i = 0; i < 6; i++) last = await create(tenant, { item: `n${i}`, quantity: 1 });
    expect(last).toMatchObject({ status: 409, body: { code: 'order_limit_reached' } });
  });
});
