import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Principal } from '../authz/principal';
import { problemResponse } from '../http/problem';
import { readJsonBody } from '../http/readJsonBody';
import type { AuthenticatedHandler } from '../http/withAuth';
import { ORDER_ID, orderInput, type Order } from './order';
import { ORDER_LIMIT_REACHED, type OrderStore } from './orderStore';

export interface OrdersApi {
  readonly list: AuthenticatedHandler;
  readonly get: AuthenticatedHandler;
  readonly create: AuthenticatedHandler;
  readonly replace: AuthenticatedHandler;
  readonly remove: AuthenticatedHandler;
}

/**
 * The sample Orders API. Authorization has already happened in withAuth; what is
 * left here is tenant scoping (always the token's `tid`, never a request value) and
 * input validation.
 */
export function createOrdersApi(store: OrderStore): OrdersApi {
  return {
    async list(_request, _context, principal) {
      return ok(200, { value: await store.list(principal.tenantId) });
    },

    async get(request, context, principal) {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const order = await store.get(principal.tenantId, id);
      return order ? ok(200, order) : notFound(context);
    },

    async create(request, context, principal) {
      const body = await readJsonBody(request, orderInput);
      if (!body.ok) return badBody(body, context);
      const order = await store.create(principal.tenantId, body.value, createdBy(principal));
      if (order === ORDER_LIMIT_REACHED) {
        return problemResponse(409, 'order_limit_reached', 'This tenant has reached the sample store limit; delete orders first.', context.invocationId);
      }
      return { ...ok(201, order), headers: { 'content-type': 'application/json', location: `/api/orders/${order.id}` } };
    },

    async replace(request, context, principal) {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      const body = await readJsonBody(request, orderInput);
      if (!body.ok) return badBody(body, context);
      const order = await store.replace(principal.tenantId, id, body.value);
      return order ? ok(200, order) : notFound(context);
    },

    async remove(request, context, principal) {
      const id = orderId(request, context);
      if (typeof id !== 'string') return id;
      return (await store.delete(principal.tenantId, id)) ? { status: 204 } : notFound(context);
    },
  };
}

function ok(status: number, body: Order | { value: readonly Order[] }): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json' } };
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

function createdBy(principal: Principal): Order['createdBy'] {
  return { clientAppId: principal.clientAppId, objectId: principal.objectId };
}
