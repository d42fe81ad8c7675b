import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { BackendCallError, type BackendClient, type BackendResponse } from '../forwarding/backendClient';
import { problemResponse } from '../http/problem';
import type { AuthenticatedHandler } from '../http/withAuth';
import { SigningUnavailableError } from '../signing/signingErrors';
import type { Order } from './order';
import { orderFailureAnswer } from './orderFailureAnswer';
import { notFound, orderId, tenantOf } from './ordersApi';
import type { OrderStore } from './orderStore';

/** What the fulfilment backend is sent: the order, never the caller's token (their identity travels in the assertion). */
export interface FulfilmentRequest {
  readonly orderId: string;
  readonly item: string;
  readonly quantity: number;
}

/**
 * POST /api/orders/{id}/fulfil: hands the caller's order to the fulfilment backend,
 * which learns who asked from a short-lived assertion signed by this app. The
 * backend is optional: without FULFILMENT_URL the operation answers 503.
 */
export function createFulfilOrderHandler(store: OrderStore, fulfilment: BackendClient | undefined): AuthenticatedHandler {
  return async (request, context, principal) => {
    if (!fulfilment) {
      return problemResponse(503, 'backend_not_configured', 'Order fulfilment is not configured on this deployment.', context.invocationId);
    }
    const id = orderId(request, context);
    if (typeof id !== 'string') return id;
    let order: Order;
    try {
      const found = await store.get(tenantOf(principal), id);
      if (!found) return notFound(request, context);
      order = found.order;
    } catch (error) {
      return orderFailureAnswer(error, request, context);
    }

    let answer: BackendResponse;
    try {
      answer = await fulfilment.post(principal, fulfilmentRequest(order), request.headers);
    } catch (error) {
      return failure(error, context);
    }
    if (answer.status < 200 || answer.status >= 300) {
      context.warn(`Fulfilment backend answered HTTP ${answer.status} for order ${order.id}`);
      return problemResponse(502, 'backend_error', 'The fulfilment service refused or failed the request.', context.invocationId, {
        extra: { backendStatus: answer.status },
      });
    }
    return { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, jsonBody: { orderId: order.id, fulfilment: answer.body ?? null } };
  };
}

function fulfilmentRequest(order: Order): FulfilmentRequest {
  return { orderId: order.id, item: order.item, quantity: order.quantity };
}

function failure(error: unknown, context: InvocationContext): HttpResponseInit {
  if (error instanceof SigningUnavailableError) {
    context.warn(`Identity assertion not issued (${error.reason}): ${error.message}`);
    return problemResponse(503, 'signing_unavailable', 'The service cannot vouch for the caller right now; retry shortly.', context.invocationId, {
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    });
  }
  if (error instanceof BackendCallError) {
    context.warn(`Fulfilment backend call failed (${error.code}): ${error.message}`);
    return problemResponse(502, error.code, 'The fulfilment service could not be reached; retry later.', context.invocationId);
  }
  throw error;
}
