import { createEntraAuth, type AuthObserver, type AuthSettings, type EntraAuth, type FetchLike, type KeySetEvents } from 'azure-functions-entra-auth';
import { readHostEnvironment, type HostEnvironment, type SettingsSource } from 'azure-functions-entra-auth/settings';
import { loadOpenApiSettings } from '../config/openApiSettings';
import { loadOrdersSettings } from '../config/ordersSettings';
import { loadSigningSettings, type SigningSettings } from '../config/signingSettings';
import { createBackendClient, type BackendClient } from '../forwarding/backendClient';
import { createOrderStore, type OrderStoreDependencies, type OrdersBackend } from '../orders/createOrderStore';
import type { OrderStore } from '../orders/orderStore';
import { createStoreHealth, type StoreHealth } from '../orders/storeHealth';
import { createSigning, type Signing, type SigningDependencies } from '../signing/createSigning';
import type { SigningEvents } from '../signing/signingEvents';
import { appOpenApiDocument, documentSecurity } from '../openapi/appDocument';
import { loadDeclaredPermissions } from './permissions';
import { appRoutes, type AppRoutes } from './routeTable';

/** Everything the functions share, built once per process from the settings. */
export interface AppRuntime {
  readonly settings: AuthSettings;
  /** The auth package, built from the AUTH_* settings: verifier, withAuth, route registration. */
  readonly auth: EntraAuth;
  /** Every route and what each method demands, checked against infra/permissions.json. */
  readonly routes: AppRoutes;
  readonly orders: OrderStore;
  /** Whether the orders store answered recently (for /api/health; never a store call). */
  readonly ordersHealth: StoreHealth;
  readonly signingSettings: SigningSettings;
  /** Identity assertions for backends, and the published key set. */
  readonly signing: Signing;
  /** The Orders sample's fulfilment backend; undefined without FULFILMENT_URL. */
  readonly fulfilment: BackendClient | undefined;
  /** Builds the OpenAPI document with this deployment's tenant and App ID URI; undefined with OPENAPI_DOCUMENT=off. */
  readonly openApiDocument: (() => object) | undefined;
}

export interface RuntimeDependencies {
  /** How Entra metadata and keys are fetched; default: the package's node:http(s) fetch (trusting AUTH_INSTANCE_CA_FILE when set). */
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
  const permissions = loadDeclaredPermissions();
  // Whether this is Azure, decided once here for every settings module that asks.
  const host = readHostEnvironment(source);
  const auth = createEntraAuth({
    env: source,
    host,
    permissions,
    ...(dependencies.observer && { observer: dependencies.observer }),
    ...(dependencies.keySetEvents && { keySetEvents: dependencies.keySetEvents }),
    ...(dependencies.fetch && { fetch: dependencies.fetch }),
    ...(dependencies.now && { now: dependencies.now }),
  });
  const signingSettings = loadSigningSettings(source, host);
  const signing = createSigning(signingSettings, {
    ...dependencies.signing,
    ...(dependencies.now && { now: dependencies.now }),
    ...(dependencies.signingEvents && { events: dependencies.signingEvents }),
  });
  const fulfilment =
    signingSettings.fulfilment && createBackendClient({ ...signingSettings.fulfilment, assertions: signing.assertions, fetch: dependencies.backendFetch ?? fetch });
  const orders = ordersBackend(source, host, dependencies);
  const routes = appRoutes(permissions);
  const openApi = loadOpenApiSettings(source);
  return Object.freeze({
    settings: auth.settings,
    auth,
    routes,
    orders: orders.store,
    ordersHealth: orders.health,
    signingSettings,
    signing,
    fulfilment,
    openApiDocument: openApi.serveDocument ? () => appOpenApiDocument(routes, permissions, documentSecurity(auth.settings, auth.realm)) : undefined,
  });
}

/** The orders store: Azure Table Storage from the ORDERS_* settings (see lib/orders/createOrderStore.ts). */
function ordersBackend(source: SettingsSource, host: HostEnvironment, dependencies: RuntimeDependencies): OrdersBackend {
  if (dependencies.orders) return { store: dependencies.orders, health: createStoreHealth() };
  return createOrderStore(loadOrdersSettings(source, host), dependencies.ordersStore);
}
