import type { KeySetEvents } from '../entra/entraKeyStore';
import type { InvocationContext } from '@azure/functions';
import type { AuthFailureEvent, AuthObserver, AuthSuccessEvent } from '../functions/authEvents';
import { authFailureEvent, authSuccessMetric, keySetFallbackEvent, keySetRefreshedEvent } from './authTelemetryItems';
import { errorMessage, type TelemetryDiagnostic, type TelemetrySink } from './telemetrySink';

export type Report = (diagnostic: TelemetryDiagnostic) => void;

/**
 * Runs a tracking call and swallows whatever it throws: telemetry must never fail a
 * request. Failures are reported on the 1st, 10th, 100th... occurrence, so a broken
 * SDK cannot flood the log at the request rate.
 */
export function guarded<A extends unknown[]>(report: Report, track: (...args: A) => void): (...args: A) => void {
  let failures = 0;
  return (...args) => {
    try {
      track(...args);
    } catch (error) {
      failures++;
      if (Number.isInteger(Math.log10(failures))) {
        try {
          report({ kind: 'track_failed', message: `${errorMessage(error)} (${failures} so far)` });
        } catch {
          // A broken diagnostic sink is not the request's problem either.
        }
      }
    }
  };
}

/** Failures as AuthFailure events, successes as the AuthSuccess metric; optionally also the invocation log. */
export function createTelemetryObserver(sink: TelemetrySink, options: { also?: AuthObserver; report?: Report } = {}): AuthObserver {
  const report = options.report ?? (() => undefined);
  const { also } = options;
  // Separate guards: a failing sink must not silence the invocation log, nor the reverse.
  const trackFailure = guarded(report, (event: AuthFailureEvent) => {
    sink.trackEvent(authFailureEvent(event));
  });
  const trackSuccess = guarded(report, (event: AuthSuccessEvent) => {
    sink.trackMetric(authSuccessMetric(event));
  });
  const logFailure = guarded(report, (event: AuthFailureEvent, context: InvocationContext) => {
    also?.onFailure(event, context);
  });
  const logSuccess = guarded(report, (event: AuthSuccessEvent, context: InvocationContext) => {
    also?.onSuccess?.(event, context);
  });
  return {
    onFailure(event, context) {
      trackFailure(event);
      logFailure(event, context);
    },
    onSuccess(event, context) {
      trackSuccess(event);
      logSuccess(event, context);
    },
  };
}

/** Key-set refreshes and stale-key fallbacks as events an alert can fire on. */
export function createKeySetTelemetry(sink: TelemetrySink, report: Report = () => undefined): KeySetEvents {
  return {
    onKeySetRefreshed: guarded(report, (event) => {
      sink.trackEvent(keySetRefreshedEvent(event));
    }),
    onKeySetFallback: guarded(report, (event) => {
      sink.trackEvent(keySetFallbackEvent(event));
    }),
  };
}
