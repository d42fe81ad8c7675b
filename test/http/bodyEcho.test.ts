import type { HttpHandler } from '@azure/functions';
import { appRoutes } from '../../lib/app/routeTable';
import { loadDeclaredPermissions } from '../../lib/app/permissions';

const ROUTES = appRoutes(loadDeclaredPermissions());
import { MemoryOrderStore } from '../orders/support/memoryOrderStore';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import { startAuthFixture, type AuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { invokeHttp, type InvokeResult } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';

/**
 * Answers repeat nothing the caller sent: not the names of unknown body members
 * (however long, whatever they contain), not request values; and an invalid_request
 * says the same specific thing in its body as in its challenge.
 */

const LONG_NAME = 'A'.repeat(30_000);
const MARKUP = '<script>alert(1)</script>';

let f: AuthFixture;
let orders: HttpHandler;
beforeAll(async () => {
  f = await startAuthFixture();
  const api = createOrdersApi(new MemoryOrderStore());
  orders = f.routeHandler(ROUTES.orders, { GET: api.list, POST: api.create });
});
afterAll(() => f.stop());

async function post(body: string): Promise<InvokeResult> {
  const token = await f.token({ roles: ['Orders.ReadWrite'] });
  return invokeHttp(orders, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
}

describe('a body with unknown members', () => {
  it.each([
    ['a 30 000-character member name', `{"item":"x","quantity":1,"${LONG_NAME}":1}`, 1, [LONG_NAME.slice(0, 64)]],
    ['a member name of markup', `{"item":"x","quantity":1,${JSON.stringify(MARKUP)}:true}`, 1, ['<script', 'alert']],
    ['__proto__', '{"item":"x","quantity":1,"__proto__":{"isAdmin":true}}', 1, ['__proto__', 'isAdmin']],
    ['all three at once', `{"item":"x","quantity":1,"${LONG_NAME}":1,${JSON.stringify(MARKUP)}:2,"__proto__":{}}`, 3, [LONG_NAME.slice(0, 64), '<script', '__proto__']],
  ])('gets a short 400 that counts them and names only the known fields: %s', async (_name, body, count, echoes) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const text = JSON.stringify(response.body);
    for (const echo of echoes) expect(text).not.toContain(echo);
    expect(text.length).toBeLessThan(400);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'invalid_body',
      detail: `The body has ${count} unknown member${count === 1 ? '' : 's'}. The known fields are item, quantity, note.`,
      invocationId: response.invocationId,
    });
    // Nothing of it in the log either.
    for (const echo of echoes) expect(response.logs.join('\n')).not.toContain(echo);
  });

  it('names a known field that is wrong, and nothing else', async () => {
    const response = await post(`{"item":"x","quantity":"${MARKUP}"}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_body', field: 'quantity' });
    expect(JSON.stringify(response.body)).not.toContain('script');
  });

  it('answers a body that is not an object without naming any field', async () => {
    const response = await post(JSON.stringify([MARKUP]));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'invalid_body' });
    expect(response.body).not.toHaveProperty('field');
    expect(JSON.stringify(response.body)).not.toContain('script');
  });
});

describe('invalid_request', () => {
  it.each([
    ['a token in the query string', { query: { access_token: 'abc.def.ghi' } }],
    ['a token in the header and the query string', { headers: { authorization: 'Bearer abc.def.ghi' }, query: { access_token: 'abc.def.ghi' } }],
    ['two credentials', { headers: { authorization: 'Bearer aaa.bbb.ccc, Bearer ddd.eee.fff' } }],
    ['an empty Bearer credential', { headers: { authorization: 'Bearer' } }],
    ['a malformed Authorization header', { headers: { authorization: `${MARKUP} x` } }],
  ])('carries in its body the specific description of its challenge: %s', async (_name, request) => {
    const response = await invokeHttp(orders, request);
    expect(response.status).toBe(400);
    const description = /error_description="([^"]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
    expect(description).toBeDefined();
    expect(description).not.toBe('The request does not carry its access token as RFC 6750 requires.');
    expect(response.body).toMatchObject({ code: 'invalid_request', detail: description });
    expect(JSON.stringify(response.body)).not.toContain('script');
  });
});
