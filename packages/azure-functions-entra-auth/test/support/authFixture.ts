import type { AuthFailureEvent, AuthObserver, AuthSuccessEvent } from '../../src/functions/authEvents';
import type { HttpHandler } from '@azure/functions';
import type { AuthPolicy } from '../../src/authz/authPolicy';
import type { HandlersFor, ProtectedRoute } from '../../src/functions/protectedRoute';
import { createGuard, methodsOf, type AuthenticatedHandler } from '../../src/functions/withAuth';
import { mintAccessToken, type TokenOptions } from './entraTokens';
import { startHarness, type Harness, type HarnessOptions } from './verifierHarness';

export const REALM = 'api://orders-api';

/** A recording observer: what withAuth reported, in order. */
export class RecordingObserver implements AuthObserver {
  readonly failures: AuthFailureEvent[] = [];
  readonly successes: AuthSuccessEvent[] = [];
  onFailure(event: AuthFailureEvent): void {
    this.failures.push(event);
  }
  onSuccess(event: AuthSuccessEvent): void {
    this.successes.push(event);
  }
}

export interface AuthFixture {
  readonly harness: Harness;
  readonly observer: RecordingObserver;
  /** One handler behind a policy, as EntraAuth.withAuth builds it. */
  withAuth(handler: AuthenticatedHandler, policy: AuthPolicy): HttpHandler;
  /** A route's handler, each method's rule with its handler, as EntraAuth.routeHandler builds it. */
  routeHandler<R extends ProtectedRoute>(route: R, handlers: HandlersFor<R>): HttpHandler;
  /** A token signed by the harness key, with issuers pointing at the fake Entra. */
  token(options?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

/** withAuth wired to a real verifier against a fake Entra on 127.0.0.1, with a recording observer. */
export async function startAuthFixture(options: HarnessOptions = {}): Promise<AuthFixture> {
  const harness = await startHarness(options);
  const observer = new RecordingObserver();
  const guard = createGuard({ verifier: harness.verifier, observer, realm: REALM });
  return {
    harness,
    observer,
    withAuth: (handler, policy) => guard(methodsOf(policy, () => handler)),
    routeHandler: (route, handlers) => guard(methodsOf(route.policy, (method) => (handlers as Record<string, AuthenticatedHandler>)[method] as AuthenticatedHandler)),
    token: (tokenOptions = {}) => mintAccessToken(harness.key, { instance: harness.server.url, ...tokenOptions }),
    stop: () => harness.stop(),
  };
}
