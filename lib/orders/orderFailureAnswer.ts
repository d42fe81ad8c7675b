import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { problemResponse } from '../http/problem';
import { isOrderError, StoreUnavailableError } from './orderErrors';

/**
 * The one place an Orders failure becomes an answer: its status, stable code, fixed
 * detail and headers (Retry-After for store_unavailable), with the reason logged for
 * the operator. Anything that is not an Orders failure is rethrown.
 */
export function orderFailureAnswer(error: unknown, context: InvocationContext): HttpResponseInit {
  if (!isOrderError(error)) throw error;
  if (error instanceof StoreUnavailableError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message.slice(0, 300)}` : '';
    context.warn(`${error.message}; answering 503 with Retry-After ${error.retryAfterSeconds}${cause}`);
  }
  return problemResponse(error.status, error.code, error.detail, context.invocationId, {
    headers: { ...error.headers },
    ...(error.code === 'invalid_continuation' && { extra: { field: 'continuation' } }),
  });
}
