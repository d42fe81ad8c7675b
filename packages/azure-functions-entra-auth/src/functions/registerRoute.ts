import { app, type HttpHandler, type HttpMethod } from '@azure/functions';
import type { AuthenticatedHandler, WithAuth } from './withAuth';
import type { ProtectedRoute } from '../../../../lib/app/routeTable';
import { appRuntime } from '../../../../lib/app/runtime';

/** One handler for each method the route's policy names, no more and no fewer. */
export type HandlersFor<R extends ProtectedRoute> = { readonly [M in keyof R['policy'] & HttpMethod]: AuthenticatedHandler };

/**
 * Registers a protected HTTP function with the Functions host. The methods come
 * from the policy, so a method cannot be routed without a rule. Function-key auth is
 * off (authLevel anonymous) because every request is authorized by its Entra token.
 */
export function registerProtectedRoute<R extends ProtectedRoute>(entry: R, handlers: HandlersFor<R>): void {
  app.http(entry.name, {
    route: entry.route,
    methods: Object.keys(entry.policy) as HttpMethod[],
    authLevel: 'anonymous',
    handler: protectedHandler(appRuntime().withAuth, entry, handlers),
  });
}

/** The authorized handler for a route: withAuth around a dispatch on the method. */
export function protectedHandler<R extends ProtectedRoute>(withAuth: WithAuth, entry: R, handlers: HandlersFor<R>): HttpHandler {
  const byMethod = handlers as Readonly<Partial<Record<string, AuthenticatedHandler>>>;
  const dispatch: AuthenticatedHandler = (request, context, principal) => {
    // withAuth has refused any method without a policy entry, and every entry has a handler.
    const handler = byMethod[request.method] as AuthenticatedHandler;
    return handler(request, context, principal);
  };
  return withAuth(dispatch, entry.policy);
}
