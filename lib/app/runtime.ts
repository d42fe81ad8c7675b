import { app } from '@azure/functions';
import { loadAuthSettings, type AuthSettings } from '../config/authSettings';
import type { SettingsSource } from '../config/parseSettings';
import { loadSigningSettings, type SigningSettings } from '../config/signingSettings';
import type { KeySetEvents } from '../entra/entraKeyStore';
import { createBackendClient, type BackendClient } from '../forwarding/backendClient';
import { invocationLogObserver, type AuthObserver } from '../http/authEvents';
import { createWithAuth, type WithAuth } from '../http/withAuth';
import type { FetchLike } from '../net/fetchJson';
import { InMemoryOrderStore } from '../orders/inMemoryOrderStore';
import type { OrderStore } from '../orders/orderStore';
import { createSigning, type Signing, type SigningDependencies } from '../signing/createSigning';
import type { SigningEvents } from '../signing/signingEvents';
import { startAuthTelemetry } from '../telemetry/startAuthTelemetry';
import { createAccessTokenVerifier } from '../verify/createAccessTokenVerifier';
import type { AccessTokenVerifier } from '../verify/verifiedAccessToken';

/** Everything the functions share, built once per process from the settings. */
export interface AppRuntime {
  readonly settings: AuthSettings;
  readonly verifier: AccessTokenVerifier;
  readonly withAuth: WithAuth;
  readonly orders: OrderStore;
  readonly signingSettings: SigningSettings;
  /** Identity assertions for backends, and the published key set. */
  readonly signing: Signing;
  /** The Orders sample's fulfilment backend; undefined without FULFILMENT_URL. */
  readonly fulfilment: BackendClient | undefined;
}

export interface RuntimeDependencies {
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly observer?: AuthObserver;
  readonly keySetEvents?: KeySetEvents;
  readonly orders?: OrderStore;
  /** Where signing failures and key set reloads are reported. */
  readonly signingEvents?: SigningEvents;
  /** The Key Vault credential, SDK client options and tuning; tests reach the stand-in through it. */
  readonly signing?: Omit<SigningDependencies, 'now' | 'events'>;
  /** How backends are called; default: the global fetch. */
  readonly backendFetch?: FetchLike;
}

/** The composition root: settings in, wired services out. Throws SettingsError on a bad setting. */
export function createAppRuntime(source: SettingsSource, dependencies: RuntimeDependencies = {}): AppRuntime {
  const settings = loadAuthSettings(source);
  const signingSettings = loadSigningSettings(source);
  const verifier = createAccessTokenVerifier(settings, {
    ...(dependencies.fetch && { fetch: dependencies.fetch }),
    ...(dependencies.now && { now: dependencies.now }),
    ...(dependencies.keySetEvents && { events: dependencies.keySetEvents }),
  });
  const withAuth = createWithAuth({
    verifier,
    observer: dependencies.observer ?? invocationLogObserver,
    realm: settings.appIdUri ?? `api://${settings.clientId}`,
    allowTokensWithoutPermissions: settings.allowTokensWithoutPermissions,
  });
  const signing = createSigning(signingSettings, {
    ...dependencies.signing,
    ...(dependencies.now && { now: dependencies.now }),
    ...(dependencies.signingEvents && { events: dependencies.signingEvents }),
  });
  const fulfilment =
    signingSettings.fulfilment && createBackendClient({ ...signingSettings.fulfilment, assertions: signing.assertions, fetch: dependencies.backendFetch ?? fetch });
  return Object.freeze({ settings, verifier, withAuth, orders: dependencies.orders ?? new InMemoryOrderStore(), signingSettings, signing, fulfilment });
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
