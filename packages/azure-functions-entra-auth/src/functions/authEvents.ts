import type { InvocationContext } from '@azure/functions';

/** One refused request: what failed, where, and which caller (IDs only, never the token). */
export interface AuthFailureEvent {
  /** Stable code, e.g. `token_expired`, `insufficient_scope`, `token_missing`, `keys_unavailable`. */
  readonly code: string;
  /** The exact check, e.g. `claims.exp`, `claims.roles`, `header.authorization`, `jwks.fetch`. */
  readonly check: string;
  readonly status: number;
  readonly method: string;
  /** The route template (`invoices/{id}`), never the concrete URL. */
  readonly route: string;
  readonly functionName: string;
  readonly invocationId: string;
  /**
   * The caller's tenant and app, only from a token that passed verification (a 403
   * after it): an unauthenticated caller cannot pin failures on any tenant or app.
   */
  readonly tenantId?: string;
  readonly clientAppId?: string;
  /** What a refused token (a 401) claimed as its tenant and app: attacker-chosen, kept apart from the verified IDs. */
  readonly unverifiedTenantId?: string;
  readonly unverifiedClientAppId?: string;
  /** From the token when it could be read: verified on a 403, unverified (claimed) on a 401. */
  readonly tokenVersion?: string;
  readonly kid?: string;
  /** The configured authority that verified the token (a 403 after verification), and its B2C user flow. */
  readonly authority?: string;
  readonly userFlow?: string;
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
  /** The configured authority that verified the token, and its B2C user flow. */
  readonly authority?: string;
  readonly userFlow?: string;
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
