import type { SettingsSource } from 'azure-functions-entra-auth/settings';
import { startAuthTelemetry, type StartAuthTelemetryOptions } from '../telemetry/startAuthTelemetry';
import { createAppRuntime, type AppRuntime, type RuntimeDependencies } from './runtime';

/** The part of `app.hook` from `@azure/functions` used here; the Functions worker runs these hooks. */
export interface AppLifecycleHooks {
  appStart(hook: () => Promise<void>): unknown;
  appTerminate(hook: () => Promise<void>): unknown;
}

export interface StartAppOptions {
  /** Telemetry diagnostics; defaults to the console, which the Functions host collects. */
  readonly onTelemetryDiagnostic?: StartAuthTelemetryOptions['onDiagnostic'];
  /** What tests inject (fetch, clock, stores); telemetry's observer and events always come from the settings. */
  readonly dependencies?: Omit<RuntimeDependencies, 'observer' | 'keySetEvents' | 'signingEvents' | 'revocationEvents'>;
}

/**
 * Startup, all of it: parses the settings (a bad one throws SettingsError naming it,
 * which stops the worker before it serves), builds the runtime with auth telemetry, and
 * registers every lifecycle hook:
 * - appStart: loads the assertion-signing keys (a key that can never sign fails the
 *   start; a slow or unreachable vault does not, see SigningKeySource.ready) and starts
 *   fetching Entra's discovery documents and key sets without waiting for them, so the
 *   first request finds them and a slow or down key endpoint holds up nothing;
 * - appTerminate: flushes buffered telemetry, bounded.
 */
export function startApp(source: SettingsSource, hooks: AppLifecycleHooks, options: StartAppOptions = {}): AppRuntime {
  const telemetry = startAuthTelemetry(source, {
    onAppTerminate: (hook) => hooks.appTerminate(hook),
    ...(options.onTelemetryDiagnostic && { onDiagnostic: options.onTelemetryDiagnostic }),
  });
  const runtime = createAppRuntime(source, { ...options.dependencies, ...telemetry });
  hooks.appStart(() => {
    void runtime.auth.verifier.warmUp();
    // The first rules read before the first request needs them; never rejects.
    void runtime.revocations?.list.warmUp();
    return runtime.signing.ready();
  });
  return runtime;
}
