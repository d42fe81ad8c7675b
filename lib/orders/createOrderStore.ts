import type { TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { createAppCredential } from '../azure/managedIdentityCredential';
import type { OrdersSettings } from '../config/ordersSettings';
import type { OrderStore } from './orderStore';
import { createStoreHealth, type StoreHealth } from './storeHealth';
import { DEFAULT_STORE_LIMITS, storeClientOptions, type StoreLimits } from './storeLimits';
import { TableOrderStore, type OrdersTable } from './tableOrderStore';

export interface OrderStoreDependencies {
  /** Replaces the managed identity (identity form only); tests pass their own. */
  readonly credential?: TokenCredential;
  /** What the environment adds to the SDK client options, e.g. tlsOptions trusting a test CA. */
  readonly clientOptions?: TableServiceClientOptions;
  readonly limits?: StoreLimits;
  readonly now?: () => number;
}

export interface OrdersBackend {
  readonly store: OrderStore;
  /** Whether the store answered recently, from its own traffic (for /api/health). */
  readonly health: StoreHealth;
}

/**
 * Builds the orders store from the settings. `@azure/data-tables` (and
 * `@azure/identity`, for the identity form only) load on the first order request,
 * not at startup: routes that never touch orders never load them.
 */
export function createOrderStore(settings: OrdersSettings, dependencies: OrderStoreDependencies = {}): OrdersBackend {
  const health = createStoreHealth(dependencies.now);
  const limits = dependencies.limits ?? DEFAULT_STORE_LIMITS;
  const store = new TableOrderStore({
    table: () => tableClient(settings, storeClientOptions(limits, dependencies.clientOptions), dependencies.credential),
    createTableIfMissing: settings.createTableIfMissing,
    health,
    limits,
  });
  return Object.freeze({ store, health });
}

function tableClient(settings: OrdersSettings, options: TableServiceClientOptions, credential: TokenCredential | undefined): OrdersTable {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  const tables = require('@azure/data-tables') as typeof import('@azure/data-tables');
  const { connection, tableName } = settings;
  if (connection.kind === 'connectionString') {
    return tables.TableClient.fromConnectionString(connection.connectionString, tableName, {
      ...options,
      ...(connection.insecureLoopback && { allowInsecureConnection: true }),
    });
  }
  return new tables.TableClient(connection.tableServiceUri, tableName, credential ?? createAppCredential({ runningInAzure: settings.runningInAzure, clientId: connection.clientId }), options);
}

