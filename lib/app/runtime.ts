import { createEntraAuth, type AuthObserver, type AuthSettings, type EntraAuth, type FetchLike, type KeySetEvents } from 'azure-functions-entra-auth';
import { readHostEnvironment, type SettingsSource } from 'azure-functions-entra-auth/settings';
import { createRevocationList, type RevocationList } from 'azure-functions-entra-auth/revocation';
import { loadOpenApiSettings } from '../config/openApiSettings';
import { loadOrdersSettings, type OrdersSettings } from '../config/ordersSettings';
import { loadRevocationSettings, type RevocationSettings } from '../config/revocationSettings';
import { createRevocationStore, type RevocationStoreDependencies } from '../revocation/createRevocationStore';
import { consoleRevocationEvents, type RevocationEvents } from '../revocation/revocationEvents';
import type { RevocationLimits } from '../revocation/revocationRequest';
import type { TableRevocationStore } from '../revocation/tableRevocationStore';
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
  /** The deny rules: their table, the list every request is checked against, and where changes are reported. */
  readonly revocations: Revocations | undefined;
}

export interface Revocations {
  readonly settings: RevocationSettings;
  readonly store: TableRevocationStore;
  readonly list: RevocationList;
  readonly events: RevocationEvents;
  /** No rule needs to outlive the longest token lifetime this API accepts plus clock skew. */
  readonly limits: RevocationLimits;
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
  /** Credential and client options of the revocations table (same account as the orders). */
  readonly revocationStore?: RevocationStoreDependencies;
  /** Where rule changes and failed refreshes are reported; default the console. */
  readonly revocationEvents?: RevocationEvents;
}

/** The composition root: settings in, wired services out. Throws SettingsError on a bad setting. */
export function createAppRuntime(source: SettingsSource, dependencies: RuntimeDependencies = {}): AppRuntime {
  const permissions = loadDeclaredPermissions();
  // Whether this is Azure, decided once here for every settings module that asks.
  const host = readHostEnvironment(source);
  const ordersSettings = dependencies.orders && !namesOrdersStorage(source) ? undefined : loadOrdersSettings(source, host);
  const revocation = ordersSettings && revocationParts(source, ordersSettings, dependencies);
  const auth = createEntraAuth({
    env: source,
    host,
    permissions,
    ...(dependencies.observer && { observer: dependencies.observer }),
    ...(dependencies.keySetEvents && { keySetEvents: dependencies.keySetEvents }),
    ...(dependencies.fetch && { fetch: dependencies.fetch }),
    ...(dependencies.now && { now: dependencies.now }),
    ...(revocation && { revocation: revocation.list }),
  });
  const signingSettings = loadSigningSettings(source, host);
  const signing = createSigning(signingSettings, {
    ...dependencies.signing,
    ...(dependencies.now && { now: dependencies.now }),
    ...(dependencies.signingEvents && { events: dependencies.signingEvents }),
  });
  const fulfilment =
    signingSettings.fulfilment && createBackendClient({ ...signingSettings.fulfilment, assertions: signing.assertions, fetch: dependencies.backendFetch ?? fetch });
  const orders: OrdersBackend = dependencies.orders
    ? { store: dependencies.orders, health: createStoreHealth() }
    : createOrderStore(ordersSettings ?? loadOrdersSettings(source, host), dependencies.ordersStore);
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
    revocations: revocation && { ...revocation, limits: { maxRuleLifetimeSeconds: auth.settings.maxTokenLifetimeSeconds + auth.settings.clockSkewSeconds } },
  });
}

/** Whether any ORDERS_STORAGE form is set: tests that inject their own order store may leave it out. */
function namesOrdersStorage(source: SettingsSource): boolean {
  return Object.keys(source).some((name) => name.startsWith('ORDERS_STORAGE') && (source[name] ?? '').trim() !== '');
}

/**
 * The deny rules: a table beside the orders (same account, same identity), and the
 * package's list over it, refreshed at most every REVOCATION_REFRESH_SECONDS.
 */
function revocationParts(source: SettingsSource, orders: OrdersSettings, dependencies: RuntimeDependencies): Omit<Revocations, 'limits'> {
  const settings = loadRevocationSettings(source, orders.tableName);
  const store = createRevocationStore(orders, settings.tableName, { ...dependencies.revocationStore, ...(dependencies.now && { now: dependencies.now }) });
  const events = dependencies.revocationEvents ?? consoleRevocationEvents;
  const list = createRevocationList({
    source: store,
    refreshIntervalSeconds: settings.refreshIntervalSeconds,
    maxStalenessSeconds: settings.maxStalenessSeconds,
    failOpen: settings.failOpen,
    ...(dependencies.now && { now: dependencies.now }),
    events: {
      onRefreshFailed: ({ error, ageSeconds }) => {
        events.onRefreshFailed?.({ message: error instanceof Error ? error.message : 'unknown error', ...(ageSeconds !== undefined && { ageSeconds }) });
      },
    },
  });
  return { settings, store, list, events };
}
