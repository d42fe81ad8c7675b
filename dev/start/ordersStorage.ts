import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../azurite/azuriteTable';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { isListening } from 'azure-functions-entra-dev/toolkit';

/** UseDevelopmentStorage=true, what local.settings.sample.json carries: Azurite's table service on its usual port. */
export const DEFAULT_LOCAL_ORDERS_STORAGE = 'UseDevelopmentStorage=true';

export interface LocalOrdersStore {
  /** What to tell the developer. */
  readonly message: string;
  /** The Azurite started here, to stop with npm start; undefined when another store (or Azurite) serves. */
  readonly azurite: AzuriteTable | undefined;
}

/**
 * For `npm start`: starts Azurite's table service (loopback, telemetry off, data
 * under .dev-state/azurite) when the ORDERS_* settings name a loopback table
 * endpoint with nothing listening there; leaves a remote store, the identity form
 * or an Azurite the developer already runs alone. Sets ORDERS_STORAGE to Azurite's
 * when neither form is set. A bad setting throws the SettingsError the app would.
 */
export async function startLocalOrdersStore(env: NodeJS.ProcessEnv, stateDir: string): Promise<LocalOrdersStore> {
  applyLocalOrdersDefault(env);
  const { connection, tableName } = loadOrdersSettings(env);
  if (connection.kind === 'identity') {
    return { message: `Orders in table ${tableName} at ${connection.tableServiceUri} (ORDERS_STORAGE__tableServiceUri), not Azurite.`, azurite: undefined };
  }
  const endpoint = connection.tableEndpoint === undefined ? undefined : new URL(connection.tableEndpoint);
  if (!endpoint || !connection.insecureLoopback) {
    return { message: `Orders in table ${tableName} of the storage account ORDERS_STORAGE names, not Azurite.`, azurite: undefined };
  }
  const port = Number(endpoint.port || 80);
  if (await isListening(port, endpoint.hostname.replace(/^\[|\]$/g, ''))) {
    return { message: `Orders in table ${tableName} of the table service already listening at ${endpoint.origin} (your own Azurite?).`, azurite: undefined };
  }
  const location = path.join(stateDir, 'azurite');
  const azurite = await startAzuriteTable({ location, port });
  return { message: `Azurite table service (dev only) at ${endpoint.origin}, orders in table ${tableName}, data in ${path.relative(path.dirname(stateDir), location)}/.`, azurite };
}

/** Neither ORDERS_STORAGE form set (an old local.settings.json): Azurite's, as the sample has it. */
export function applyLocalOrdersDefault(env: NodeJS.ProcessEnv): void {
  if (!env.ORDERS_STORAGE?.trim() && !env.ORDERS_STORAGE__tableServiceUri?.trim()) env.ORDERS_STORAGE = DEFAULT_LOCAL_ORDERS_STORAGE;
}
