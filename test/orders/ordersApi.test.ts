import { randomUUID } from 'node:crypto';
import { encodeContinuation } from '../../lib/orders/continuation';
import { OTHER_TENANT, TENANT } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { invokeHttp, type InvokeResult } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import { startOrdersScene, type OrdersScene } from './support/ordersScene';

// The Orders API over the Table Storage store against a real Azurite process (started here, on a free loopback port).
let s: OrdersScene;
beforeAll(async () => {
  s = await startOrdersScene();
}, 60_000);
afterAll(() => s.stop());

const idOf = (result: InvokeResult) => (result.body as { id: string }).id;
const create = (tenant: string, body: unknown) => s.call(s.orders, { method: 'POST', tenant, body });
const valueOf = (result: InvokeResult) => (result.body as { value: { id: string; item: string }[]; nextLink?: string });

describe('create, read, replace, delete with ETags', () => {
  it('creates an order with 201, Location and an ETag that GET returns too', async () => {
    const created = await create(TENANT, { item: 'widget', quantity: 2, note: 'fragile' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/orders/${idOf(created)}`);
    expect(created.headers.get('x-content-type-options')).toBe('nosniff');
    expect(created.body).toMatchObject({ tenantId: TENANT, item: 'widget', quantity: 2, note: 'fragile', createdBy: { clientAppId: expect.any(String) } });
    const etag = created.headers.get('etag');
    // A strong ETag, so If-Match compares it as RFC 9110 says.
    expect(etag).toMatch(/^"[^"]+"$/);
    const read = await s.call(s.order, { id: idOf(created) });
    expect(read).toMatchObject({ status: 200, body: created.body });
    expect(read.headers.get('etag')).toBe(etag);
  });

  it('replaces with the current ETag, returns a new one, and clears what the replacement leaves out', async () => {
    const created = await create(TENANT, { item: 'a', quantity: 1, note: 'fragile' });
    const etag = created.headers.get('etag') ?? '';
    const replaced = await s.call(s.order, { method: 'PUT', id: idOf(created), headers: { 'if-match': etag }, body: { item: 'b', quantity: 3 } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: idOf(created), item: 'b', quantity: 3, createdAt: (created.body as { createdAt: string }).createdAt });
    expect(replaced.body).not.toHaveProperty('note');
    const newEtag = replaced.headers.get('etag');
    expect(newEtag).toMatch(/^"[^"]+"$/);
    expect(newEtag).not.toBe(etag);
    expect((await s.call(s.order, { id: idOf(created) })).headers.get('etag')).toBe(newEtag);
  });

  it('answers PUT without If-Match (or with *) with 428 precondition_required and changes nothing', async () => {
    const created = await create(TENANT, { item: 'kept', quantity: 1 });
    for (const headers of [{}, { 'if-match': '*' }]) {
      const response = await s.call(s.order, { method: 'PUT', id: idOf(created), headers, body: { item: 'lost', quantity: 9 } });
      expect(response).toMatchObject({ status: 428, body: { code: 'precondition_required', status: 428, title: 'Precondition Required' } });
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await s.call(s.order, { id: idOf(created) })).body).toMatchObject({ item: 'kept' });
  });

  it('answers PUT with a stale or malformed ETag with 412 precondition_failed and keeps the newer version', async () => {
    const created = await create(TENANT, { item: 'v1', quantity: 1 });
    const first = created.headers.get('etag') ?? '';
    const second = await s.call(s.order, { method: 'PUT', id: idOf(created), headers: { 'if-match': first }, body: { item: 'v2', quantity: 1 } });
    expect(second.status).toBe(200);
    for (const stale of [first, `W/${first}`, '"not-an-etag"', 'garbage']) {
      const response = await s.call(s.order, { method: 'PUT', id: idOf(created), headers: { 'if-match': stale }, body: { item: 'v3', quantity: 1 } });
      expect(response).toMatchObject({ status: 412, body: { code: 'precondition_failed', title: 'Precondition Failed' } });
    }
    expect((await s.call(s.order, { id: idOf(created) })).body).toMatchObject({ item: 'v2' });
  });

  it('deletes with 204 (honouring If-Match when sent), then it is a 404', async () => {
    const created = await create(TENANT, { item: 'gone', quantity: 1 });
    const etag = created.headers.get('etag') ?? '';
    const changed = await s.call(s.order, { method: 'PUT', id: idOf(created), headers: { 'if-match': etag }, body: { item: 'gone', quantity: 2 } });
    expect((await s.call(s.order, { method: 'DELETE', id: idOf(created), headers: { 'if-match': etag } })).status).toBe(412);
    expect((await s.call(s.order, { id: idOf(created) })).status).toBe(200);
    expect((await s.call(s.order, { method: 'DELETE', id: idOf(created), headers: { 'if-match': changed.headers.get('etag') ?? '' } })).status).toBe(204);
    expect((await s.call(s.order, { id: idOf(created) })).status).toBe(404);
    expect((await s.call(s.order, { method: 'DELETE', id: idOf(created) })).status).toBe(404);
    const unconditional = await create(TENANT, { item: 'gone too', quantity: 1 });
    expect((await s.call(s.order, { method: 'DELETE', id: idOf(unconditional) })).status).toBe(204);
  });

  it('answers an unknown order ID with 404 for GET, PUT and DELETE', async () => {
    const id = randomUUID();
    expect((await s.call(s.order, { id })).status).toBe(404);
    expect((await s.call(s.order, { method: 'PUT', id, headers: { 'if-match': 'W/"x"' }, body: { item: 'x', quantity: 1 } })).status).toBe(404);
    expect((await s.call(s.order, { method: 'DELETE', id })).status).toBe(404);
  });
});

describe('tenant isolation by partition', () => {
  it('tenant B cannot read, replace, delete or list tenant A\'s order', async () => {
    const mine = await create(TENANT, { item: 'mine', quantity: 1 });
    const etag = mine.headers.get('etag') ?? '';
    const id = idOf(mine);
    expect((await s.call(s.order, { tenant: OTHER_TENANT, id })).status).toBe(404);
    expect((await s.call(s.order, { tenant: OTHER_TENANT, method: 'PUT', id, headers: { 'if-match': etag }, body: { item: 'stolen', quantity: 9 } })).status).toBe(404);
    expect((await s.call(s.order, { tenant: OTHER_TENANT, method: 'DELETE', id, headers: { 'if-match': etag } })).status).toBe(404);
    expect((await s.call(s.order, { tenant: OTHER_TENANT, method: 'DELETE', id })).status).toBe(404);
    expect(await listAll(OTHER_TENANT)).not.toContain(id);
    expect((await s.call(s.order, { id })).body).toMatchObject({ item: 'mine', quantity: 1 });
    expect(await listAll(TENANT)).toContain(id);
  });

  it('answers 403 tenant_mismatch when the route tenant is not the token tenant', async () => {
    const token = await s.writer(TENANT);
    const response = await invokeHttp(s.tenantOrders, {
      route: 'tenants/{tenantId}/orders',
      functionName: 'tenantOrders',
      params: { tenantId: OTHER_TENANT },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response).toMatchObject({ status: 403, body: { code: 'tenant_mismatch' } });
  });
});

async function listAll(tenant: string, top = 100): Promise<string[]> {
  const ids: string[] = [];
  let query: Record<string, string> = { top: String(top) };
  for (let pages = 0; pages < 50; pages++) {
    const page = await s.call(s.orders, { tenant, query });
    expect(page.status).toBe(200);
    ids.push(...valueOf(page).value.map((o) => o.id));
    const next = valueOf(page).nextLink;
    if (!next) return ids;
    query = Object.fromEntries(new URL(next, 'https://x').searchParams);
  }
  throw new Error('too many pages');
}

describe('paging with top and continuation', () => {
  const tenant = OTHER_TENANT;
  let created: string[];
  beforeAll(async () => {
    created = [];
    for (let i = 0; i < 7; i++) created.push(idOf(await create(tenant, { item: `p${i}`, quantity: 1 })));
  });

  it('pages through every order exactly once with nextLink, in ID order', async () => {
    const first = await s.call(s.orders, { tenant, query: { top: '3' } });
    expect(valueOf(first).value).toHaveLength(3);
    expect(valueOf(first).nextLink).toMatch(/^\/api\/orders\?top=3&continuation=[A-Za-z0-9_-]+$/);
    const all = await listAll(tenant, 3);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(expect.arrayContaining(created));
    expect([...all].sort()).toEqual(all);
  });

  it('gives no nextLink on the last page, and defaults top to 50', async () => {
    const page = await s.call(s.orders, { tenant });
    expect(valueOf(page).value.length).toBeGreaterThanOrEqual(7);
    expect(valueOf(page).value.length).toBeLessThanOrEqual(50);
    expect(valueOf(page).nextLink).toBeUndefined();
  });

  it('keeps the tenant route in its nextLink', async () => {
    const page = await s.call(s.tenantOrders, { tenant, query: { top: '2' } });
    expect(page.status).toBe(200);
    expect(valueOf(page).nextLink).toMatch(new RegExp(`^/api/tenants/${tenant}/orders\\?top=2&continuation=`));
  });

  it.each([['0'], ['101'], ['-1'], ['1.5'], ['ten'], ['']])('answers top=%p with 400 naming the field', async (top) => {
    const response = await s.call(s.orders, { tenant, query: { top } });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_parameter', field: 'top' } });
  });

  it('answers a continuation replayed by another tenant with 400 invalid_continuation, never its orders', async () => {
    const page = await s.call(s.orders, { tenant, query: { top: '2' } });
    const continuation = new URL(valueOf(page).nextLink ?? '', 'https://x').searchParams.get('continuation') ?? '';
    const replayed = await s.call(s.orders, { tenant: TENANT, query: { top: '2', continuation } });
    expect(replayed).toMatchObject({ status: 400, body: { code: 'invalid_continuation', field: 'continuation' } });
    expect(replayed.body).not.toHaveProperty('value');
  });

  it.each([
    ['a flipped character', (c: string) => `${c.slice(0, 5)}${c[5] === 'A' ? 'B' : 'A'}${c.slice(6)}`],
    ['an edit naming the other tenant', () => encodeContinuation({ tenantId: TENANT, after: randomUUID() })],
    ['a resume point that is not an order ID', () => Buffer.from(JSON.stringify({ t: OTHER_TENANT, a: "x' or PartitionKey ne '" })).toString('base64url')],
    ['an extra field', () => Buffer.from(JSON.stringify({ t: OTHER_TENANT, a: randomUUID(), p: TENANT })).toString('base64url')],
    ['padding', (c: string) => `${c}==`],
    ['not base64url', () => '%%%'],
    ['an oversized token', () => 'A'.repeat(5_000)],
  ])('answers a continuation with %s with 400 invalid_continuation', async (_name, tamper) => {
    const page = await s.call(s.orders, { tenant, query: { top: '2' } });
    const continuation = new URL(valueOf(page).nextLink ?? '', 'https://x').searchParams.get('continuation') ?? '';
    const response = await s.call(s.orders, { tenant, query: { top: '2', continuation: tamper(continuation) } });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_continuation' } });
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
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_body', field } });
    expect((response.body as { detail: string }).detail).toContain(`Field ${field}`);
  });
  // Unknown members and bodies that are not objects: test/http/bodyEcho.test.ts (nothing is echoed).

  const raw = async (headers: Record<string, string>, body: string) =>
    invokeHttp(s.orders, { method: 'POST', route: 'orders', path: 'orders', headers: { authorization: `Bearer ${await s.writer()}`, ...headers }, body });

  it('answers a body that is not JSON with 400 invalid_json', async () => {
    expect(await raw({ 'content-type': 'application/json' }, '{"item":')).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
  });

  it('refuses a duplicate member with 400 invalid_json and stores nothing', async () => {
    const response = await raw({ 'content-type': 'application/json' }, '{"item":"dup-probe","quantity":99999,"quantity":1}');
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    const list = await s.call(s.orders, { tenant: TENANT, query: { top: '100' } });
    expect(JSON.stringify(list.body)).not.toContain('dup-probe');
  });

  it('answers another content type with 415', async () => {
    expect(await raw({ 'content-type': 'text/plain' }, 'item=x')).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
  });

  it('answers an oversized body with 413', async () => {
    const response = await create(TENANT, { item: 'x', quantity: 1, note: 'n'.repeat(70_000) });
    expect(response).toMatchObject({ status: 413, body: { code: 'body_too_large' } });
  });

  it('answers an order id that is not a GUID with 400 naming the field', async () => {
    const response = await s.call(s.order, { id: '../../etc/passwd' });
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_parameter', field: 'id' } });
  });
});
