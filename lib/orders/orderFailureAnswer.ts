import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { answerHandlerRefusal, Refusal } from 'azure-functions-entra-auth';
import { APP_FAILURES } from '../failures/appFailures';
import { isOrderError, type OrderError } from './orderErrors';

/**
 * An Orders failure as the shared failure model's Refusal: its code is one of the
 * app's (lib/failures/appFailures.ts), and its status, Retry-After and body come from the same
 * answerFailure as every auth refusal. Anything else is rethrown.
 */
export function orderFailureAnswer(error: unknown, request: HttpRequest, context: InvocationContext): HttpResponseInit {
  const refusal = error instanceof Refusal ? error : isOrderError(error) ? refusalOf(error) : undefined;
  if (!refusal) throw error;
  // Store faults are the operator's to see in the log; they are not auth failures, so they are not
  // reported as AuthFailure events (an outage of the store must not fire the auth-failure alert).
  if (refusal.code === 'store_unavailable') {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message.slice(0, 300)}` : '';
    context.warn(`${refusal.message}; answering 503 with Retry-After ${refusal.retryAfterSeconds ?? '?'}${cause}`);
  }
  return answerHandlerRefusal(refusal, request, context);
}

function refusalOf(error: OrderError): Refusal {
  switch (error.code) {
    case 'store_unavailable':
      return new Refusal(APP_FAILURES.store_unavailable, 'orders.store', error.message, { retryAfterSeconds: error.retryAfterSeconds, cause: error });
    case 'precondition_required':
    case 'precondition_failed':
      return new Refusal(APP_FAILURES[error.code], 'orders.if_match', error.message, { cause: error });
    case 'invalid_continuation':
      return new Refusal(APP_FAILURES.invalid_continuation, 'orders.continuation', error.message, { problem: { field: 'continuation' }, cause: error });
  }
}
