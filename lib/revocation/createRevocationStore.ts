import type { TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { createAppCredential } from '../azure/managedIdentityCredential';
import type { OrdersSettings } from '../config/ordersSettings';
import { TableRevocationStore, type RevocationsTable } from './tableRevocationStore';

export interface RevocationStoreDependencies {
  /** Replaces the managed identity (identity form only). */
  readonly credential?: TokenCredential;
  /** What the environment adds to the SDK client options, e.g. tlsOptions trusting a test CA. */
  readonly clientOptions?: TableServiceClientOptions;
  readonly now?: () => number;
}

/**
 * Short: a refresh holds requests while it runs, and the package gives up on a read after
 * its own deadline anyway. One retry covers a dropped connection.
 */
const CLIENT_OPTIONS: TableServiceClientOptions = { retryOptions: { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 200 } };

/**
 * The deny rules' table in the orders' storage account, reached exactly as the orders
 * are (connection string locally, the managed identity in Azure). The SDK loads on the
 * first read, off the startup path.
 */
export function createRevocationStore(orders: OrdersSettings, tableName: string, dependencies: RevocationStoreDependencies = {}): TableRevocationStore {
  let client: RevocationsTable | undefined;
  const table = () => (client ??= tableClient(orders, tableName, { ...CLIENT_OPTIONS, ...dependencies.clientOptions }, dependencies.credential));
  return new TableRevocationStore(table, { createTableIfMissing: orders.createTableIfMissing, ...(dependencies.now && { now: dependencies.now }) });
}

function tableClient(settings: OrdersSettings, tableName: string, options: TableServiceClientOptions, credential: TokenCredential | undefined): RevocationsTable {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  const tables = require('@azure/data-tables') as typeof import('@azure/data-tables');
  const { connection } = settings;
  if (connection.kind === 'connectionString') {
    return tables.TableClient.fromConnectionString(connection.connectionString, tableName, {
      ...options,
      ...(connection.insecureLoopback && { allowInsecureConnection: true }),
    });
  }
  return new tables.TableClient(connection.tableServiceUri, tableName, credential ?? createAppCredential({ runningInAzure: settings.runningInAzure, clientId: connection.clientId }), options);
}
