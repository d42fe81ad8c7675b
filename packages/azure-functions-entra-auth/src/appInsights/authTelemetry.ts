import type { EnabledTelemetrySettings, TelemetrySettings } from './telemetrySettings';
import type { KeySetEvents } from '../entra/entraKeyStore';
import { invocationLogObserver, type AuthObserver } from '../functions/authEvents';
import { loadAppInsightsSink, type IngestionCredential } from './appInsightsSink';
import { DeferredSink, type DeferredSinkOptions } from './deferredSink';
import { createKeySetTelemetry, createTelemetryObserver } from './telemetryObserver';
import { errorMessage, type TelemetryDiagnostic, type TelemetrySink } from './telemetrySink';

/** What the runtime needs from telemetry: the observer, the key-set hooks, and a way to flush at exit. */
export interface AuthTelemetry {
  readonly observer: AuthObserver;
  readonly keySetEvents?: KeySetEvents;
  /**
   * Where an app sends its own events and metrics (buffered with the auth items until
   * the SDK loads), and how it reports its own tracking failures; absent without telemetry.
   */
  readonly sink?: TelemetrySink;
  readonly report?: (diagnostic: TelemetryDiagnostic) => void;
  /** Sends buffered telemetry and stops; settles within `timeoutMs` and never rejects. */
  shutdown(timeoutMs: number): Promise<void>;
}

export interface AuthTelemetryOptions {
  /** Creates the real sink when the deferral ends; defaults to the Application Insights SDK. */
  readonly loadSink?: (settings: EnabledTelemetrySettings) => TelemetrySink;
  /** The managed-identity credential for Authorization=AAD ingestion; default @azure/identity's ManagedIdentityCredential. */
  readonly ingestionCredential?: IngestionCredential;
  /** Scheduling and buffer limits of the deferred SDK load. */
  readonly deferral?: Omit<DeferredSinkOptions, 'load' | 'report'>;
  readonly onDiagnostic?: (diagnostic: TelemetryDiagnostic) => void;
  /**
   * Also write failures to the invocation log when Application Insights is on (default
   * true): the portal's per-invocation view shows that log, not custom events.
   */
  readonly logFailuresToInvocation?: boolean;
}

/**
 * Auth telemetry from the settings. Without a connection string: failures go to the
 * invocation log, nothing else changes. With one: AuthFailure events, the AuthSuccess
 * metric and key-set events, through a sink that loads the SDK only after startup.
 */
export function createAuthTelemetry(settings: TelemetrySettings, options: AuthTelemetryOptions = {}): AuthTelemetry {
  if (!settings.enabled) return { observer: invocationLogObserver, shutdown: () => Promise.resolve() };
  const onDiagnostic = options.onDiagnostic;
  const report = (diagnostic: TelemetryDiagnostic) => {
    try {
      onDiagnostic?.(diagnostic);
    } catch {
      // Diagnostics are best effort.
    }
  };
  const loadSink = options.loadSink ?? ((enabled: EnabledTelemetrySettings) => loadAppInsightsSink(enabled, options.ingestionCredential));
  const sink = new DeferredSink({ ...options.deferral, load: () => loadSink(settings), report });
  return {
    observer: createTelemetryObserver(sink, { report, ...(options.logFailuresToInvocation !== false && { also: invocationLogObserver }) }),
    keySetEvents: createKeySetTelemetry(sink, report),
    sink,
    report,
    shutdown: (timeoutMs) => boundedShutdown(sink, timeoutMs, report),
  };
}

function boundedShutdown(sink: TelemetrySink, timeoutMs: number, report: (diagnostic: TelemetryDiagnostic) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      report({ kind: 'shutdown_timeout', timeoutMs });
      resolve();
    }, timeoutMs);
    timer.unref();
    let stopping: Promise<void>;
    try {
      stopping = sink.shutdown();
    } catch (error) {
      stopping = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    stopping.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        report({ kind: 'shutdown_failed', message: errorMessage(error) });
        resolve();
      },
    );
  });
}
