import createClient, { type Middleware } from 'openapi-fetch';
import { expectTypeOf } from 'expect-type';
import type { paths } from '../../openapi/ordersApi';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
import { appOpenApiDocument } from '../../lib/openapi/appDocument';
import { answerProblems } from './support/documentCheck';
import { startOrdersStack, type OrdersStack } from './support/ordersStack';

/**
 * A client generated from the committed document (openapi-typescript's types,
 * openapi-fetch) drives the Orders API in the dev host, with stand-in tokens and
 * Azurite. Every answer is also checked against the document's own schemas.
 */
let stack: OrdersStack;
let writer: string;
let reader: string;
const checked: string[] = [];

/** Checks each answer against the document, by the operation's path template. */
const conformance: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const text = await response.clone().text();
    const problems = answerProblems(request.method, schemaPath, response.status, response.headers.get('content-type'), text ? (JSON.parse(text) as unknown) : undefined);
    checked.push(`${request.method} ${schemaPath} ${response.status}`);
    if (problems.length > 0) throw new Error(problems.join('\n'));
    return undefined;
  },
};

/** A problem's code; the other error shape the document gives, the gateway's 429, has none. */
const codeOf = (error: object | undefined) => (error && 'code' in error ? error.code : undefined);

function client(token?: string) {
  const api = createClient<paths>({ baseUrl: `${stack.host}/api`, ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }) });
  api.use(conformance);
  return api;
}

beforeAll(async () => {
  stack = await startOrdersStack();
  writer = await stack.kit.token({ api: 'orders-api', client: 'writer' });
  reader = await stack.kit.token({ api: 'orders-api', client: 'reader' });
}, 60_000);

afterAll(async () => {
  await stack.stop();
});

describe('a client generated from the OpenAPI document', () => {
  it('creates, reads, replaces with If-Match and deletes an order, each answer as the document says', async () => {
    const api = client(writer);
    const created = await api.POST('/orders', { body: { item: 'widget', quantity: 2 } });
    expect(created.response.status).toBe(201);
    const id = created.data?.id ?? '';
    expect(created.data).toMatchObject({ item: 'widget', quantity: 2, tenantId: stack.kit.tenantId });

    const read = await api.GET('/orders/{id}', { params: { path: { id } } });
    expect(read.data?.item).toBe('widget');
    const etag = read.response.headers.get('etag') ?? '';
    expect(etag).not.toBe('');

    const replaced = await api.PUT('/orders/{id}', { params: { path: { id }, header: { 'If-Match': etag } }, body: { item: 'widget', quantity: 3, note: 'more' } });
    expect(replaced.response.status).toBe(200);
    expect(replaced.data).toMatchObject({ quantity: 3, note: 'more' });

    const removed = await api.DELETE('/orders/{id}', { params: { path: { id }, header: { 'If-Match': replaced.response.headers.get('etag') ?? '' } } });
    expect(removed.response.status).toBe(204);
    const gone = await api.GET('/orders/{id}', { params: { path: { id } } });
    expect(codeOf(gone.error)).toBe('order_not_found');
  });

  it('gets the typed 428 without If-Match and 412 with a stale ETag', async () => {
    const api = client(writer);
    const created = await api.POST('/orders', { body: { item: 'gadget', quantity: 1 } });
    const id = created.data?.id ?? '';
    const stale = created.response.headers.get('etag') ?? '';
    await api.PUT('/orders/{id}', { params: { path: { id }, header: { 'If-Match': stale } }, body: { item: 'gadget', quantity: 5 } });

    const missing = await api.PUT('/orders/{id}', { params: { path: { id } }, body: { item: 'gadget', quantity: 6 } });
    expect(missing.response.status).toBe(428);
    expect(missing.error).toMatchObject({ status: 428, code: 'precondition_required' });
    const conflicting = await api.PUT('/orders/{id}', { params: { path: { id }, header: { 'If-Match': stale } }, body: { item: 'gadget', quantity: 6 } });
    expect(conflicting.response.status).toBe(412);
    expect(conflicting.error).toMatchObject({ status: 412, code: 'precondition_failed' });
    // The codes are types, not only strings: a client can switch on them.
    type ProblemCode = Extract<NonNullable<typeof missing.error>, { code: unknown }>['code'];
    expectTypeOf<'precondition_required'>().toExtend<ProblemCode>();
    expectTypeOf<ProblemCode>().not.toEqualTypeOf<string>();
  });

  it('lists with paging: top and the continuation from nextLink', async () => {
    const api = client(writer);
    for (const item of ['a', 'b', 'c']) await api.POST('/orders', { body: { item, quantity: 1 } });
    const seen: string[] = [];
    let continuation: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await api.GET('/orders', { params: { query: { top: 2, ...(continuation !== undefined && { continuation }) } } });
      expect(page.response.status).toBe(200);
      expect(page.data?.value.length).toBeLessThanOrEqual(2);
      seen.push(...(page.data?.value ?? []).map((order) => order.id));
      const next = page.data?.nextLink;
      if (next === undefined) break;
      continuation = new URL(next, stack.host).searchParams.get('continuation') ?? undefined;
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    const refused = await api.GET('/orders', { params: { query: { continuation: 'not-ours' } } });
    expect(refused.error).toMatchObject({ status: 400, code: 'invalid_continuation' });
  });

  it('gets the documented 401 without a token and 403 with too little permission, with their challenges', async () => {
    const anonymous = await client().GET('/orders', { params: { query: {} } });
    expect(anonymous.error).toMatchObject({ status: 401, code: 'token_missing' });
    expect(anonymous.response.headers.get('www-authenticate')).toMatch(/^Bearer realm="/);
    const denied = await client(reader).POST('/orders', { body: { item: 'x', quantity: 1 } });
    expect(denied.error).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(denied.response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it("serves at /api/openapi.json the document with this deployment's authority and App ID URI, anonymously", async () => {
    const served = await client().GET('/openapi.json');
    expect(served.response.status).toBe(200);
    const declared = loadDeclaredPermissions();
    const settings = stack.kit.settings('orders-api');
    const expected = appOpenApiDocument(appRoutes(declared), declared, { authority: `${settings.AUTH_INSTANCE}/${settings.AUTH_TENANT_ID}`, appIdUri: settings.AUTH_APP_ID_URI ?? '' });
    expect(served.data).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('checked every answer above against the document, with a check that does refuse a wrong one', () => {
    expect(answerProblems('GET', '/orders/{id}', 200, 'application/json', { id: 'not-a-guid', item: 'x' })).not.toEqual([]);
    expect(answerProblems('GET', '/orders/{id}', 418, 'application/json', {})).toEqual(['GET /orders/{id} answered 418, which the document does not declare']);
    expect(checked).toEqual(expect.arrayContaining(['POST /orders 201', 'PUT /orders/{id} 428', 'PUT /orders/{id} 412', 'GET /orders 200', 'DELETE /orders/{id} 204', 'GET /orders 401', 'POST /orders 403']));
  });
});
