import { readHostEnvironment, type HostEnvironment } from '../azure/hostEnvironment';
import { loadAuthSettings, type AuthSettings } from '../config/authSettings';
import { loadInstanceTrustSettings } from '../config/instanceTrustSettings';
import { loadOrdersSettings } from '../config/ordersSettings';
import type { SettingsSource } from '../config/parseSettings';
import { loadSigningSettings, type SigningSettings } from '../config/signingSettings';
import type { KeySetEvents } from '../entra/entraKeyStore';
import { createBackendClient, type BackendClient } from '../forwarding/backendClient';
import { invocationLogObserver, type AuthObserver } from '../http/authEvents';
import { createWithAuth, type WithAuth } from '../http/withAuth';
import { createNodeHttpFetch } from '../net/nodeHttpFetch';
import type { FetchLike } from '../net/fetchJson';
import { createOrderStore, type OrderStoreDependencies, type OrdersBackend } from '../orders/createOrderStore';
import type { OrderStore } from '../orders/orderStore';
import { createStoreHealth, type StoreHealth } from '../orders/storeHealth';
import { createSigning, type Signing, type SigningDependencies } from '../signing/createSigning';
import type { SigningEvents } from '../signing/signingEvents';
import { createAccessTokenVerifier } from '../verify/createAccessTokenVerifier';
import type { AccessTokenVerifier } from '../verify/verifiedAccessToken';

/** Everything the functions share, built once per process from the settings. */
export interface AppRuntime {
  readonly settings: AuthSettings;
  readonly verifier: AccessTokenVerifier;
  readonly withAuth: WithAuth;
  readonly orders: OrderStore;
  /** Whether the orders store answered recently (for /api/health; never a store call). */
  readonly ordersHealth: StoreHealth;
  readonly signingSettings: SigningSettings;
  /** Identity assertions for backends, and the published key set. */
  readonly signing: Signing;
  /** The Orders sample's fulfilment backend; undefined without FULFILMENT_URL. */
  readonly fulfilment: BackendClient | undefined;
}

export interface RuntimeDependencies {
  /** How Entra metadata and keys are fetched; default: lib/net/nodeHttpFetch (trusting AUTH_INSTANCE_CA_FILE when set). */
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly observer?: AuthObserver;
  readonly keySetEvents?: KeySetEvents;
  /** Replaces the Table Storage store (and its ORDERS_* settings); tests only. */
  readonly orders?: OrderStore;
  /** Credential, client options and limits of the Table Storage store. */
  readonly ordersStore?: OrderStoreDependencies;
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
  // Whether this is Azure, decided once here for every settings module that asks.
  const host = readHostEnvironment(source);
  const signingSettings = loadSigningSettings(source, host);
  // AUTH_INSTANCE_CA_FILE (loopback stand-in only, refused in Azure): the key fetch trusts that CA.
  const { caPem } = loadInstanceTrustSettings(source, { instance: settings.instance, host });
  const keyFetch = dependencies.fetch ?? createNodeHttpFetch(caPem === undefined ? {} : { ca: caPem });
  const verifier = createAccessTokenVerifier(settings, {
    fetch: keyFetch,
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
  const orders = ordersBackend(source, host, dependencies);
  return Object.freeze({ settings, verifier, withAuth, orders: orders.store, ordersHealth: orders.health, signingSettings, signing, fulfilment });
}

/** The orders store: Azure Table Storage from the ORDERS_* settings (see lib/orders/createOrderStore.ts). */
function ordersBackend(source: SettingsSource, host: HostEnvironment, dependencies: RuntimeDependencies): OrdersBackend {
  if (dependencies.orders) return { store: dependencies.orders, health: createStoreHealth() };
  return createOrderStore(loadOrdersSettings(source, host), dependencies.ordersStore);
}

let started: AppRuntime | undefined;

/** Called once, by the entry module with what startApp built, before any function file loads. */
export function installAppRuntime(runtime: AppRuntime): void {
  if (started) throw new Error('the app runtime is already installed: the entry module builds it once per process');
  started = runtime;
}

/**
 * The process-wide runtime that the entry module (functions/index.ts, package.json
 * "main") built from the app settings before loading the function files, which read
 * it as they register their routes.
 */
export function appRuntime(): AppRuntime {
  if (!started) {
    throw new Error('the app runtime is not built: load the app through its entry module (package.json "main"), which builds it before the function files');
  }
  return started;
}
