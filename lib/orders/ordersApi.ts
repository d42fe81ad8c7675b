import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Principal } from '../authz/principal';
import { problemResponse } from '../http/problem';
import { readJsonBody } from '../http/readJsonBody';
import type { AuthenticatedHandler } from '../http/withAuth';
import { ORDER_ID, orderInput, type Order } from './order';
import { decodeContinuation, encodeContinuation } from './continuation';
import { PreconditionRequiredError } from './orderErrors';
import { orderFailureAnswer } from './orderFailureAnswer';
import type { OrderStore } from './orderStore';

export interface OrdersApi {
  readonly list: AuthenticatedHandler;
  readonly get: AuthenticatedHandler;
  readonly create: AuthenticatedHandler;
  readonly replace: AuthenticatedHandler;
  readonly remove: AuthenticatedHandler;
}

/** Page size of the order lists: `?top=`, 1-100. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/**
 * The sample Orders API. Authorization has already happened in withAuth; what is
 * left here is tenant scoping (always the token's `tid`, never a request value),
 * input validation and the concurrency rules: GET returns the order's ETag, PUT
 * needs If-Match, DELETE honours it. Store failures become answers in one place
 * (orderFailureAnswer).
 */
export function createOrdersApi(store: OrderStore): OrdersApi {
  const guarded =
    (handler: AuthenticatedHandler): AuthenticatedHandler =>
    async (request, context, principal) => {
      try {
        return await handler(request, context, principal);
      } catch (error) {
        return orderFailureAnswer(error, context);
      }
    };

  return {
    list: guarded(async (request, context, principal) => {
      const page = pageRequest(request, context, tenantOf(principal));
      if (!('top' in page)) return page;
      const result = await store.list(tenantOf(principal), page);
      const next = result.lastId && encodeContinuation({ tenantId: tenantOf(principal), after: result.lastId });
      return ok(200, { value: result.orders.map((entry) => entry.order), ...(next && { nextLink: nextLink(request, page.top, next) }) });
    }),

    get: guarded(async (request, context, principal) => {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const found = await store.get(tenantOf(principal), id);
      return found ? ok(200, found.order, found.etag) : notFound(context);
    }),

    create: guarded(async (request, context, principal) => {
      const body = await readJsonBody(request, orderInput);
      if (!body.ok) return badBody(body, context);
      const created = await store.create(tenantOf(principal), body.value, createdBy(principal));
      return ok(201, created.order, created.etag, { location: `/api/orders/${created.order.id}` });
    }),

    replace: guarded(async (request, context, principal) => {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const ifMatch = request.headers.get('if-match')?.trim();
      // "*" would be a blind overwrite too: a replacement names the version it replaces.
      if (!ifMatch || ifMatch === '*') throw new PreconditionRequiredError();
      const body = await readJsonBody(request, orderInput);
      if (!body.ok) return badBody(body, context);
      const replaced = await store.replace(tenantOf(principal), id, body.value, ifMatch);
      return replaced ? ok(200, replaced.order, replaced.etag) : notFound(context);
    }),

    remove: guarded(async (request, context, principal) => {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const ifMatch = request.headers.get('if-match')?.trim() || undefined;
      return (await store.delete(tenantOf(principal), id, ifMatch)) ? { status: 204 } : notFound(context);
    }),
  };
}

function ok(status: number, body: Order | { value: readonly Order[]; nextLink?: string }, etag?: string, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...(etag && { etag }), ...headers } };
}

/** `?top=` and `?continuation=` of a list request, or the 400 answer naming the field. */
function pageRequest(request: HttpRequest, context: InvocationContext, tenantId: string): { top: number; after: string | undefined } | HttpResponseInit {
  const rawTop = request.query.get('top');
  const top = rawTop === null ? DEFAULT_PAGE_SIZE : /^\d{1,3}$/.test(rawTop) ? Number(rawTop) : Number.NaN;
  if (!(top >= 1 && top <= MAX_PAGE_SIZE)) {
    return problemResponse(400, 'invalid_parameter', `Field top: must be a whole number from 1 to ${MAX_PAGE_SIZE}.`, context.invocationId, { extra: { field: 'top' } });
  }
  const raw = request.query.get('continuation');
  return { top, after: raw === null ? undefined : decodeContinuation(raw, tenantId).after };
}

/** The next page's link: this route's path (the tenant route stays the tenant route) with top and the continuation. */
function nextLink(request: HttpRequest, top: number, continuation: string): string {
  const query = new URLSearchParams({ top: String(top), continuation });
  return `${new URL(request.url).pathname}?${query.toString()}`;
}

/** The `{id}` route parameter as an order ID, or the 400 answer naming the field. */
export function orderId(request: HttpRequest, context: InvocationContext): string | HttpResponseInit {
  const id = request.params.id?.toLowerCase();
  if (id !== undefined && ORDER_ID.test(id)) return id;
  return problemResponse(400, 'invalid_parameter', 'Field id: must be an order ID (a GUID).', context.invocationId, { extra: { field: 'id' } });
}

// Another tenant's order and a missing one look the same: existence is not disclosed across tenants.
export function notFound(context: InvocationContext): HttpResponseInit {
  return problemResponse(404, 'order_not_found', 'No such order.', context.invocationId);
}

function badBody(body: { status: number; code: string; detail: string; field?: string }, context: InvocationContext): HttpResponseInit {
  return problemResponse(body.status, body.code, body.detail, context.invocationId, body.field === undefined ? {} : { extra: { field: body.field } });
}

/** The store's partition: the token's tenant, lower-case (Entra issues it so; one spelling, one partition). */
export function tenantOf(principal: Principal): string {
  return principal.tenantId.toLowerCase();
}

function createdBy(principal: Principal): Order['createdBy'] {
  return { clientAppId: principal.clientAppId, objectId: principal.objectId };
}
