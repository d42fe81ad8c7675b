import type { AuthObserver, KeySetEvents } from 'azure-functions-entra-auth';
import { createAuthTelemetry, loadTelemetrySettings, type AuthTelemetryOptions, type TelemetryDiagnostic } from 'azure-functions-entra-auth/app-insights';
import type { SettingsSource } from 'azure-functions-entra-auth/settings';
import type { SigningEvents } from '../signing/signingEvents';
import { createManagedIdentityCredential } from '../azure/managedIdentityCredential';
import type { RevocationEvents } from '../revocation/revocationEvents';
import { createRevocationTelemetry } from './revocationTelemetry';
import { createSigningTelemetry } from './signingTelemetry';

export interface StartAuthTelemetryOptions {
  /**
   * Registers a graceful-shutdown hook of the host: `app.hook.appTerminate` under the
   * Functions worker, which runs it before the worker exits (and the dev host on SIGTERM).
   * No signal or beforeExit listener of our own: under the worker that hook is the
   * documented way out, and the worker's event loop never empties on its own.
   */
  readonly onAppTerminate: (hook: () => Promise<void>) => void;
  /** Longest wait for ingestion at exit. Default 2 s, inside the Functions host's termination grace period. */
  readonly shutdownTimeoutMs?: number;
  /** Defaults to console (info for the SDK load, warn for problems), which the Functions host collects. */
  readonly onDiagnostic?: (diagnostic: TelemetryDiagnostic) => void;
  readonly deferral?: AuthTelemetryOptions['deferral'];
}

/**
 * For the composition root: reads the APPLICATIONINSIGHTS_* settings (throwing
 * SettingsError on a bad one), builds the observer and key-set hooks, and registers the
 * bounded flush as an appTerminate hook. The result plugs into createAppRuntime's dependencies.
 */
export function startAuthTelemetry(
  source: SettingsSource,
  options: StartAuthTelemetryOptions,
): { readonly observer: AuthObserver; readonly keySetEvents?: KeySetEvents; readonly signingEvents?: SigningEvents; readonly revocationEvents?: RevocationEvents } {
  const settings = loadTelemetrySettings(source);
  const telemetry = createAuthTelemetry(settings, {
    onDiagnostic: options.onDiagnostic ?? logDiagnostic,
    // The app's one managed-identity choice (lib/azure), for Authorization=AAD ingestion too.
    ingestionCredential: createManagedIdentityCredential,
    ...(options.deferral && { deferral: options.deferral }),
  });
  if (settings.enabled) {
    const timeoutMs = options.shutdownTimeoutMs ?? 2_000;
    let flushing: Promise<void> | undefined;
    options.onAppTerminate(() => (flushing ??= telemetry.shutdown(timeoutMs)));
  }
  return {
    observer: telemetry.observer,
    ...(telemetry.keySetEvents && { keySetEvents: telemetry.keySetEvents }),
    // The app's own Key Vault signing failures travel on the same sink as the auth items.
    ...(telemetry.sink && { signingEvents: createSigningTelemetry(telemetry.sink, telemetry.report) }),
    // Who revoked what, and failed refreshes of the rules, on the same sink.
    ...(telemetry.sink && { revocationEvents: createRevocationTelemetry(telemetry.sink, telemetry.report) }),
  };
}

export function describeDiagnostic(diagnostic: TelemetryDiagnostic): string {
  switch (diagnostic.kind) {
    case 'loaded':
      return `Application Insights SDK loaded (event loop held ${diagnostic.blockedMs} ms); ${diagnostic.replayed} buffered items sent on`;
    case 'load_failed':
      return `Application Insights SDK could not be loaded, auth telemetry is off: ${diagnostic.message}`;
    case 'dropped':
      return `${diagnostic.count} auth telemetry items dropped (${diagnostic.reason === 'buffer_full' ? 'buffer full before the SDK loaded' : 'SDK unavailable'})`;
    case 'track_failed':
      return `auth telemetry item not tracked: ${diagnostic.message}`;
    case 'shutdown_timeout':
      return `auth telemetry not fully flushed within ${diagnostic.timeoutMs} ms at shutdown`;
    case 'shutdown_failed':
      return `auth telemetry flush at shutdown failed: ${diagnostic.message}`;
  }
}

/** The text for people, then the diagnostic as JSON, so log queries (and the dev tools) can read its fields. */
function logDiagnostic(diagnostic: TelemetryDiagnostic): void {
  const line = `[auth-telemetry] ${describeDiagnostic(diagnostic)} ${JSON.stringify(diagnostic)}`;
  if (diagnostic.kind === 'loaded') console.info(line);
  else console.warn(line);
}
