import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { AuthenticatedHandler } from 'azure-functions-entra-auth';

/**
 * A handler whose thrown failures become answers: `answer` turns what the handler threw
 * (a store outage, a typed refusal) into the response, or rethrows what it does not know.
 */
export function answeringFailures(answer: (error: unknown, request: HttpRequest, context: InvocationContext) => HttpResponseInit) {
  return (handler: AuthenticatedHandler): AuthenticatedHandler =>
    async (request, context, principal) => {
      try {
        return await handler(request, context, principal);
      } catch (error) {
        return answer(error, request, context);
      }
    };
}
