import { guarded, pick, type Report, type TelemetryEvent, type TelemetrySink } from 'azure-functions-entra-auth/app-insights';
import { consoleSigningEvents, type SigningEvents, type SigningFailureEvent } from '../signing/signingEvents';

/** The event operators alert on when Key Vault signing or key listing fails (throttled, unreachable, refused). */
export const SIGNING_FAILURE_EVENT = 'SigningFailure';

export function signingFailureEvent(event: SigningFailureEvent): TelemetryEvent {
  return { name: SIGNING_FAILURE_EVENT, properties: pick(event, ['operation', 'code', 'status', 'retryAfterSeconds', 'keyVersion', 'served']) };
}

/** Signing failures as events on the auth telemetry's sink; `also` (the console line, by default) keeps the host log. */
export function createSigningTelemetry(sink: TelemetrySink, report: Report = () => undefined, also: SigningEvents = consoleSigningEvents): SigningEvents {
  return {
    onSigningFailure: guarded(report, (event) => {
      also.onSigningFailure?.(event);
      sink.trackEvent(signingFailureEvent(event));
    }),
  };
}
