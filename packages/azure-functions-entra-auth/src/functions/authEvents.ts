import type { InvocationContext } from '@azure/functions';

/** One refused request: what failed, where, and which caller (IDs only, never the token). */
export interface AuthFailureEvent {
  /** Stable code, e.g. `token_expired`, `insufficient_scope`, `token_missing`, `keys_unavailable`. */
  readonly code: string;
  /** The exact check, e.g. `claims.exp`, `claims.roles`, `header.authorization`, `jwks.fetch`. */
  readonly check: string;
  readonly status: number;
  readonly method: string;
  /** The route template (`orders/{id}`), never the concrete URL. */
  readonly route: string;
  readonly functionName: string;
  readonly invocationId: string;
  /** From the token when it could be read (unverified for 401s). */
  readonly tenantId?: string;
  readonly clientAppId?: string;
  readonly tokenVersion?: string;
  readonly kid?: string;
  /** For logs: what went wrong, in words. Contains no token material. */
  readonly message: string;
}

/** One authorized request, for counting (not for an event per request). */
export interface AuthSuccessEvent {
  readonly method: string;
  readonly route: string;
  readonly functionName: string;
  readonly tenantId: string;
  readonly clientAppId: string;
  readonly tokenVersion: string;
  readonly appOnly: boolean;
}

/** Where withAuth reports outcomes. Implementations must be fast and must not throw. */
export interface AuthObserver {
  onFailure(event: AuthFailureEvent, context: InvocationContext): void;
  onSuccess?(event: AuthSuccessEvent, context: InvocationContext): void;
}

/** The observer used without Application Insights: failures go to the invocation's log. */
export const invocationLogObserver: AuthObserver = {
  onFailure(event, context) {
    context.warn(`AuthFailure ${event.code} (${event.check}) ${event.method} ${event.route}: ${event.message}`, {
      ...event,
    });
  },
};
