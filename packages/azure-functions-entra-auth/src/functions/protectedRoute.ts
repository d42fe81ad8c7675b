import type { HttpMethod } from '@azure/functions';
import type { AuthPolicy } from '../authz/authPolicy';
import type { AuthenticatedHandler } from './withAuth';

/** A protected HTTP function: its name, its route (under /api) and what each method demands. */
export interface ProtectedRoute<P extends AuthPolicy = AuthPolicy> {
  readonly name: string;
  readonly route: string;
  readonly policy: P;
}

/** One handler for each method the route's policy names, no more and no fewer. */
export type HandlersFor<R extends ProtectedRoute> = { readonly [M in keyof R['policy'] & HttpMethod]: AuthenticatedHandler };

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** Checks a route entry at startup: a function name the host accepts and a route that is not absolute. */
export function defineRoute<const P extends AuthPolicy>(name: string, route: string, policy: P): ProtectedRoute<P> {
  if (!NAME.test(name)) throw new TypeError(`route name "${name}" must start with a letter and hold only letters, digits, - and _`);
  if (route.startsWith('/') || route.trim() !== route) throw new TypeError(`route "${route}" is relative to /api: no leading slash or spaces`);
  return Object.freeze({ name, route, policy });
}
