import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Principal } from 'azure-functions-entra-auth';
import { Refusal } from 'azure-functions-entra-auth';
import { APP_FAILURES } from '../failures/appFailures';
import { readJsonBody, type BodyResult } from '../http/readJsonBody';
import type { AuthenticatedHandler } from 'azure-functions-entra-auth';
import { answeringFailures } from '../http/answeringFailures';
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
 * needs If-Match, DELETE honours it. Every refusal is a Refusal of the shared failure
 * model, answered in one place (orderFailureAnswer).
 */
export function createOrdersApi(store: OrderStore): OrdersApi {
  const guarded = answeringFailures(orderFailureAnswer);

  return {
    list: guarded(async (request, context, principal) => {
      const page = pageRequest(request, context, principal.tenantId);
      if (!('top' in page)) return page;
      const result = await store.list(principal.tenantId, page);
      const next = result.lastId && encodeContinuation({ tenantId: principal.tenantId, after: result.lastId });
      return ok(200, { value: result.orders.map((entry) => entry.order), ...(next && { nextLink: nextLink(request, page.top, next) }) });
    }),

    get: guarded(async (request, context, principal) => {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const found = await store.get(principal.tenantId, id);
      return found ? ok(200, found.order, found.etag) : notFound(request, context);
    }),

    create: guarded(async (request, context, principal) => {
      const body = await readJsonBody(request, orderInput);
      if (!body.ok) return badBody(body, request, context);
      const created = await store.create(principal.tenantId, body.value, createdBy(principal));
      return ok(201, created.order, created.etag, { location: `/api/orders/${created.order.id}` });
    }),

    replace: guarded(async (request, context, principal) => {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const ifMatch = request.headers.get('if-match')?.trim();
      // "*" would be a blind overwrite too: a replacement names the version it replaces.
      if (!ifMatch || ifMatch === '*') throw new PreconditionRequiredError();
      const body = await readJsonBody(request, orderInput);
      if (!body.ok) return badBody(body, request, context);
      const replaced = await store.replace(principal.tenantId, id, body.value, ifMatch);
      return replaced ? ok(200, replaced.order, replaced.etag) : notFound(request, context);
    }),

    remove: guarded(async (request, context, principal) => {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const ifMatch = request.headers.get('if-match')?.trim() || undefined;
      return (await store.delete(principal.tenantId, id, ifMatch)) ? { status: 204 } : notFound(request, context);
    }),
  };
}

function ok(status: number, body: Order | { value: readonly Order[]; nextLink?: string }, etag?: string, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...(etag && { etag }), ...headers } };
}

/** `?top=` and `?continuation=` of a list request, or the 400 answer naming the field. */
function pageRequest(request: HttpRequest, context: InvocationContext, tenantId: string): { top: number; after: string | undefined } | HttpResponseInit {
  const rawTop = request.query.get('top');
  const top = rawTop === null ? DEFAULT_PAGE_SIZE : /^\d{1,3}$/.test(rawTop) ? Number(rawTop) : Number.NaN;
  if (!(top >= 1 && top <= MAX_PAGE_SIZE)) {
    const description = `Field top: must be a whole number from 1 to ${MAX_PAGE_SIZE}.`;
    return orderFailureAnswer(new Refusal(APP_FAILURES.invalid_parameter, 'orders.top', 'top is not 1-100', { problem: { field: 'top' }, description }), request, context);
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
  const description = 'Field id: must be an order ID (a GUID).';
  return orderFailureAnswer(new Refusal(APP_FAILURES.invalid_parameter, 'orders.id', 'the id route parameter is not a GUID', { problem: { field: 'id' }, description }), request, context);
}

// Another tenant's order and a missing one look the same: existence is not disclosed across tenants.
export function notFound(request: HttpRequest, context: InvocationContext): HttpResponseInit {
  return orderFailureAnswer(new Refusal(APP_FAILURES.order_not_found, 'orders.lookup', "no such order in the caller's partition"), request, context);
}

function badBody(body: Extract<BodyResult<unknown>, { ok: false }>, request: HttpRequest, context: InvocationContext): HttpResponseInit {
  const refusal = new Refusal(APP_FAILURES[body.code], 'orders.body', `body refused (${body.code})`, {
    description: body.detail,
    ...(body.field !== undefined && { problem: { field: body.field } }),
  });
  return orderFailureAnswer(refusal, request, context);
}

function createdBy(principal: Principal): Order['createdBy'] {
  return { clientAppId: principal.clientAppId, objectId: principal.objectId };
}
