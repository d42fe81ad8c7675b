import type { RefreshReason } from 'azure-functions-entra-auth/toolkit';
import type { SigningFailureCode } from './signingErrors';

/** `sign`: signing one assertion; `keys`: loading the key versions behind the published key set. */
export type SigningOperation = 'sign' | 'keys';

export interface SigningFailureEvent {
  readonly operation: SigningOperation;
  readonly code: SigningFailureCode;
  /** The vault's HTTP status, when it answered. */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** The key version involved, when one was. */
  readonly keyVersion?: string;
  /** For `keys`: whether the last good key set is still served (`stale`) or there is none (`none`). */
  readonly served?: 'stale' | 'none';
  /** For logs: what went wrong, in words. Never key material or tokens. */
  readonly message: string;
}

export interface KeySetRefreshedEvent {
  /** Published key versions, newest first. */
  readonly kids: readonly string[];
  /** The version new assertions are signed with. */
  readonly signingKid: string | undefined;
  readonly reason: RefreshReason;
}

/** Where signing reports what operators need to see. Implementations must be fast; a throw is ignored. */
export interface SigningEvents {
  onSigningFailure?(event: SigningFailureEvent): void;
  onKeySetRefreshed?(event: KeySetRefreshedEvent): void;
}

/** Used without Application Insights: failures as one warning line each. */
export const consoleSigningEvents: SigningEvents = {
  onSigningFailure(event) {
    const status = event.status === undefined ? '' : ` HTTP ${event.status}`;
    console.warn(`SigningFailure ${event.code} (${event.operation}${status}): ${event.message}`);
  },
};

/** Calls a hook, never letting telemetry break signing. */
export function report(events: SigningEvents, call: (events: SigningEvents) => void): void {
  try {
    call(events);
  } catch {
    // Telemetry must never fail a request.
  }
}
