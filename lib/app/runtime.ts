import { app } from '@azure/functions';
import { loadAuthSettings, type AuthSettings } from '../config/authSettings';
import type { SettingsSource } from '../config/parseSettings';
import type { KeySetEvents } from '../entra/entraKeyStore';
import { invocationLogObserver, type AuthObserver } from '../http/authEvents';
import { createWithAuth, type WithAuth } from '../http/withAuth';
import type { FetchLike } from '../net/fetchJson';
import { InMemoryOrderStore } from '../orders/inMemoryOrderStore';
import type { OrderStore } from '../orders/orderStore';
import { startAuthTelemetry } from '../telemetry/startAuthTelemetry';
import { createAccessTokenVerifier } from '../verify/createAccessTokenVerifier';
import type { AccessTokenVerifier } from '../verify/verifiedAccessToken';

/** Everything the functions share, built once per process from the settings. */
export interface AppRuntime {
  readonly settings: AuthSettings;
  readonly verifier: AccessTokenVerifier;
  readonly withAuth: WithAuth;
  readonly orders: OrderStore;
}

export interface RuntimeDependencies {
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly observer?: AuthObserver;
  readonly keySetEvents?: KeySetEvents;
  readonly orders?: OrderStore;
}

/** The composition root: settings in, wired services out. Throws SettingsError on a bad setting. */
export function createAppRuntime(source: SettingsSource, dependencies: RuntimeDependencies = {}): AppRuntime {
  const settings = loadAuthSettings(source);
  const verifier = createAccessTokenVerifier(settings, {
    ...(dependencies.fetch && { fetch: dependencies.fetch }),
    ...(dependencies.now && { now: dependencies.now }),
    ...(dependencies.keySetEvents && { events: dependencies.keySetEvents }),
  });
  const withAuth = createWithAuth({
    verifier,
    observer: dependencies.observer ?? invocationLogObserver,
    realm: settings.appIdUri ?? `api://${settings.clientId}`,
  });
  return Object.freeze({ settings, verifier, withAuth, orders: dependencies.orders ?? new InMemoryOrderStore() });
}

let shared: AppRuntime | undefined;

/**
 * The process-wide runtime, built from the app settings on first use, which is when
 * the Functions host loads the function modules: a bad setting stops the app at
 * startup with a message naming it, instead of failing requests one by one.
 * Auth telemetry (APPLICATIONINSIGHTS_*) is wired here too; what it buffers is
 * flushed by the worker's appTerminate hook, SIGTERM or beforeExit.
 */
export function appRuntime(): AppRuntime {
  shared ??= createAppRuntime(process.env, startAuthTelemetry(process.env, { process, onAppTerminate: (hook) => app.hook.appTerminate(hook) }));
  return shared;
}
