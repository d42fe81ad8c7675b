import type { SettingsSource } from '../config/parseSettings';
import { loadTelemetrySettings } from '../config/telemetrySettings';
import type { KeySetEvents } from '../entra/entraKeyStore';
import type { AuthObserver } from '../http/authEvents';
import type { SigningEvents } from '../signing/signingEvents';
import { createAuthTelemetry, type AuthTelemetryOptions } from './authTelemetry';
import { flushTelemetryOnShutdown, type FlushOnShutdownOptions } from './flushOnShutdown';
import type { TelemetryDiagnostic } from './telemetrySink';

export interface StartAuthTelemetryOptions extends FlushOnShutdownOptions {
  /** Defaults to console (info for the SDK load, warn for problems), which the Functions host collects. */
  readonly onDiagnostic?: (diagnostic: TelemetryDiagnostic) => void;
  readonly deferral?: AuthTelemetryOptions['deferral'];
}

/**
 * For the composition root: reads the APPLICATIONINSIGHTS_* settings (throwing
 * SettingsError on a bad one), builds the observer and key-set hooks, and arranges the
 * flush at shutdown. The result plugs into createAppRuntime's dependencies.
 */
export function startAuthTelemetry(
  source: SettingsSource,
  options: StartAuthTelemetryOptions,
): { readonly observer: AuthObserver; readonly keySetEvents?: KeySetEvents; readonly signingEvents?: SigningEvents } {
  const settings = loadTelemetrySettings(source);
  const telemetry = createAuthTelemetry(settings, {
    onDiagnostic: options.onDiagnostic ?? logDiagnostic,
    ...(options.deferral && { deferral: options.deferral }),
  });
  if (settings.enabled) flushTelemetryOnShutdown(telemetry, options);
  return telemetry;
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

function logDiagnostic(diagnostic: TelemetryDiagnostic): void {
  const line = `[auth-telemetry] ${describeDiagnostic(diagnostic)}`;
  if (diagnostic.kind === 'loaded') console.info(line);
  else console.warn(line);
}
