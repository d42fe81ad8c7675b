import * as z from 'zod/mini';
import {
  checkHttpsUrl,
  deepFreeze,
  guid,
  parseSettings,
  readHostEnvironment,
  refuse,
  SettingsError,
  type HostEnvironment,
  type SettingsSource,
} from 'azure-functions-entra-auth/settings';

/** How the app reaches the orders table. */
export type OrdersStoreConnection =
  /** A storage connection string (Azurite, or an account key / SAS outside Azure). */
  | { readonly kind: 'connectionString'; readonly connectionString: string; readonly tableEndpoint: string | undefined; readonly insecureLoopback: boolean }
  /** The table service URI with the app's managed identity: the form a deployment uses. */
  | {
      readonly kind: 'identity';
      /** e.g. https://contoso.table.core.windows.net, no trailing slash. */
      readonly tableServiceUri: string;
      /** A user-assigned identity's client ID; undefined for the system-assigned one (or DefaultAzureCredential locally). */
      readonly clientId: string | undefined;
    };

export interface OrdersSettings {
  readonly connection: OrdersStoreConnection;
  readonly tableName: string;
  /** In Azure the table comes from the Bicep; the app creates it only outside Azure. */
  readonly createTableIfMissing: boolean;
  readonly runningInAzure: boolean;
}

export const DEFAULT_ORDERS_TABLE = 'orders';

const CONNECTION_STRING_FORM =
  'must be a storage connection string: UseDevelopmentStorage=true, or key=value pairs such as DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=…;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1';

interface ParsedConnectionString {
  readonly connectionString: string;
  readonly tableEndpoint: string | undefined;
  readonly insecureLoopback: boolean;
  /** It carries the account key (UseDevelopmentStorage=true does too: Azurite's well-known one). */
  readonly accountKey: boolean;
}

/** Checked here so a typo fails at startup, naming the setting, instead of at the first order request. Values are never echoed. */
const connectionString = z.pipe(
  z.string(),
  z.transform((raw: string, ctx): ParsedConnectionString => {
    const pairs = new Map<string, string>();
    for (const segment of raw.split(';').map((part) => part.trim())) {
      if (segment === '') continue;
      const at = segment.indexOf('=');
      // Values (keys, SAS tokens) may contain "="; the key is what precedes the first one.
      const key = segment.slice(0, Math.max(at, 0)).trim().toLowerCase();
      const value = segment.slice(at + 1).trim();
      if (at <= 0 || value === '') return refuse(ctx, CONNECTION_STRING_FORM);
      if (pairs.has(key)) return refuse(ctx, `names ${segment.slice(0, at).trim()} twice`);
      pairs.set(key, value);
    }
    if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
      if (pairs.size > 1) return refuse(ctx, 'must be UseDevelopmentStorage=true alone, or a full connection string with TableEndpoint');
      return { connectionString: 'UseDevelopmentStorage=true', tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1', insecureLoopback: true, accountKey: true };
    }
    const accountKey = pairs.has('accountkey');
    if (!accountKey && !pairs.has('sharedaccesssignature')) return refuse(ctx, `must carry AccountKey or SharedAccessSignature; ${CONNECTION_STRING_FORM}`);
    if (accountKey && !pairs.has('accountname')) return refuse(ctx, 'must name the AccountName that AccountKey belongs to');
    const endpoint = pairs.get('tableendpoint');
    if (endpoint === undefined) {
      if (!pairs.has('accountname')) return refuse(ctx, 'must carry TableEndpoint, or AccountName for the account\'s own endpoint');
      if (pairs.has('defaultendpointsprotocol') && pairs.get('defaultendpointsprotocol')?.toLowerCase() !== 'https') {
        return refuse(ctx, 'must use DefaultEndpointsProtocol=https (http only with a loopback TableEndpoint)');
      }
      return { connectionString: raw, tableEndpoint: undefined, insecureLoopback: false, accountKey };
    }
    const checked = checkHttpsUrl(endpoint);
    if ('problem' in checked) return refuse(ctx, `has a TableEndpoint that ${checked.problem}`);
    const { url } = checked;
    // The check lets plain http through to loopback hosts only (Azurite).
    const loopbackHttp = url.protocol === 'http:';
    return { connectionString: raw, tableEndpoint: url.href.replace(/\/+$/, ''), insecureLoopback: loopbackHttp, accountKey };
  }),
);

/** The account's table service: a bare https origin. Bearer tokens never travel over plain http, so neither does this. */
const tableServiceUri = z.pipe(
  z.string(),
  z.transform((raw: string, ctx) => {
    const checked = checkHttpsUrl(raw, { bareOrigin: true, loopbackHttp: false });
    if ('problem' in checked) return refuse(ctx, 'must be the https URL of the storage account\'s table service, e.g. https://contoso.table.core.windows.net');
    return checked.url.origin;
  }),
);

const schema = z
  .object({
    ORDERS_STORAGE: z.optional(connectionString),
    ORDERS_STORAGE__tableServiceUri: z.optional(tableServiceUri),
    ORDERS_STORAGE__clientId: z.optional(guid('the client ID of the user-assigned managed identity that may use the table')),
    ORDERS_TABLE_NAME: z._default(
      z.string().check(
        z.regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, { error: 'must be a table name: 3-63 letters and digits, starting with a letter' }),
        z.refine((name: string) => name.toLowerCase() !== 'tables', { error: 'must not be the reserved name "tables"' }),
      ),
      DEFAULT_ORDERS_TABLE,
    ),
    AZURE_CLIENT_ID: z.optional(guid('the client ID of the managed identity')),
  })
  .check(z.superRefine((s, ctx) => {
    const issue = (path: string, message: string) => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (s.ORDERS_STORAGE === undefined && s.ORDERS_STORAGE__tableServiceUri === undefined) {
      issue(
        'ORDERS_STORAGE',
        'is required: set ORDERS_STORAGE__tableServiceUri (https://<account>.table.core.windows.net, with the managed identity) in Azure, or ORDERS_STORAGE to a connection string (UseDevelopmentStorage=true for Azurite) locally',
      );
    } else if (s.ORDERS_STORAGE !== undefined && s.ORDERS_STORAGE__tableServiceUri !== undefined) {
      issue('ORDERS_STORAGE__tableServiceUri', 'must not be set together with ORDERS_STORAGE: choose the connection string or the identity-based form');
    }
    if (s.ORDERS_STORAGE__clientId !== undefined && s.ORDERS_STORAGE__tableServiceUri === undefined) {
      issue('ORDERS_STORAGE__clientId', 'applies only with ORDERS_STORAGE__tableServiceUri');
    }
  }));

/** Every setting this module reads, for checks that the deployment sets real names. */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(schema.shape));
const NAMES = SETTING_NAMES;

/**
 * Parses the ORDERS_* settings once, at startup. Throws SettingsError naming the bad
 * setting. `host` is the composition root's; read from `source` when omitted.
 */
export function loadOrdersSettings(source: SettingsSource, host: HostEnvironment = readHostEnvironment(source)): OrdersSettings {
  const s = parseSettings(schema, source, NAMES);
  if (s.ORDERS_STORAGE?.accountKey && host.runningInAzure) {
    throw new SettingsError(
      'ORDERS_STORAGE',
      `must not carry an account key when running in Azure (${host.azureMarker} is set): shared keys stay disabled; set ORDERS_STORAGE__tableServiceUri and use the managed identity`,
    );
  }
  const { runningInAzure } = host;
  const connection: OrdersStoreConnection =
    s.ORDERS_STORAGE__tableServiceUri !== undefined
      ? { kind: 'identity', tableServiceUri: s.ORDERS_STORAGE__tableServiceUri, clientId: s.ORDERS_STORAGE__clientId ?? s.AZURE_CLIENT_ID }
      : {
          kind: 'connectionString',
          // Present: the schema refuses neither form being set.
          connectionString: s.ORDERS_STORAGE?.connectionString ?? '',
          tableEndpoint: s.ORDERS_STORAGE?.tableEndpoint,
          insecureLoopback: s.ORDERS_STORAGE?.insecureLoopback ?? false,
        };
  return deepFreeze<OrdersSettings>({ connection, tableName: s.ORDERS_TABLE_NAME, createTableIfMissing: !runningInAzure, runningInAzure });
}
