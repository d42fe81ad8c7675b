import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { answerHandlerRefusal, Refusal } from 'azure-functions-entra-auth';
import { APP_FAILURES } from '../failures/appFailures';
import { BackendCallError, type BackendClient, type BackendResponse } from '../forwarding/backendClient';
import type { AuthenticatedHandler } from 'azure-functions-entra-auth';
import { SigningUnavailableError } from '../signing/signingErrors';
import type { Order } from './order';
import { orderFailureAnswer } from './orderFailureAnswer';
import { notFound, orderId } from './ordersApi';
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
      return answerHandlerRefusal(new Refusal(APP_FAILURES.backend_not_configured, 'fulfilment.config', 'FULFILMENT_URL is not set'), request, context);
    }
    const id = orderId(request, context);
    if (typeof id !== 'string') return id;
    let order: Order;
    try {
      const found = await store.get(principal.tenantId, id);
      if (!found) return notFound(request, context);
      order = found.order;
    } catch (error) {
      return orderFailureAnswer(error, request, context);
    }

    let answer: BackendResponse;
    try {
      answer = await fulfilment.post(principal, fulfilmentRequest(order), request.headers);
    } catch (error) {
      return failure(error, request, context);
    }
    if (answer.status < 200 || answer.status >= 300) {
      context.warn(`Fulfilment backend answered HTTP ${answer.status} for order ${order.id}`);
      const refusal = new Refusal(APP_FAILURES.backend_error, 'fulfilment.answer', `backend answered HTTP ${answer.status}`, { problem: { backendStatus: answer.status } });
      return answerHandlerRefusal(refusal, request, context);
    }
    return { status: 200, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }, jsonBody: { orderId: order.id, fulfilment: answer.body ?? null } };
  };
}

function fulfilmentRequest(order: Order): FulfilmentRequest {
  return { orderId: order.id, item: order.item, quantity: order.quantity };
}

function failure(error: unknown, request: HttpRequest, context: InvocationContext): HttpResponseInit {
  if (error instanceof SigningUnavailableError) {
    context.warn(`Identity assertion not issued (${error.reason}): ${error.message}`);
    const refusal = new Refusal(APP_FAILURES.signing_unavailable, 'signing.assertion', `assertion not issued (${error.reason})`, { retryAfterSeconds: error.retryAfterSeconds, cause: error });
    return answerHandlerRefusal(refusal, request, context);
  }
  if (error instanceof BackendCallError) {
    context.warn(`Fulfilment backend call failed (${error.code}): ${error.message}`);
    return answerHandlerRefusal(new Refusal(APP_FAILURES[error.code], 'fulfilment.call', error.message, { cause: error }), request, context);
  }
  throw error;
}
