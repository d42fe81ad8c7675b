import { azuriteConnectionString } from '../../dev/azurite/azuriteTable';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { SettingsError } from 'azure-functions-entra-auth';

const ACCOUNT_KEY = `DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=${Buffer.from('k'.repeat(64)).toString('base64')};EndpointSuffix=core.windows.net`;
const IDENTITY = { ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' };

function refusal(source: Record<string, string>): SettingsError {
  try {
    loadOrdersSettings(source);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('ORDERS_* settings', () => {
  it('takes Azurite as UseDevelopmentStorage=true or as an explicit connection string with TableEndpoint', () => {
    expect(loadOrdersSettings({ ORDERS_STORAGE: 'UseDevelopmentStorage=true' })).toEqual({
      connection: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true', tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1', insecureLoopback: true },
      tableName: 'orders',
      createTableIfMissing: true,
      runningInAzure: false,
    });
    const explicit = loadOrdersSettings({ ORDERS_STORAGE: azuriteConnectionString(49152), ORDERS_TABLE_NAME: 'Orders2' });
    expect(explicit.connection).toMatchObject({ kind: 'connectionString', tableEndpoint: 'http://127.0.0.1:49152/devstoreaccount1', insecureLoopback: true });
    expect(explicit.tableName).toBe('Orders2');
    expect(Object.isFrozen(explicit.connection)).toBe(true);
  });

  it('takes the identity form with the managed identity; the table is then the Bicep\'s to create', () => {
    const system = loadOrdersSettings({ ...IDENTITY, WEBSITE_INSTANCE_ID: 'abc' });
    expect(system).toEqual({
      connection: { kind: 'identity', tableServiceUri: 'https://contoso.table.core.windows.net', clientId: undefined },
      tableName: 'orders',
      createTableIfMissing: false,
      runningInAzure: true,
    });
    const user = loadOrdersSettings({ ...IDENTITY, ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net/', ORDERS_STORAGE__clientId: 'AAAAAAAA-0000-4000-8000-000000000001' });
    expect(user.connection).toEqual({ kind: 'identity', tableServiceUri: 'https://contoso.table.core.windows.net', clientId: 'aaaaaaaa-0000-4000-8000-000000000001' });
    const fallback = loadOrdersSettings({ ...IDENTITY, AZURE_CLIENT_ID: 'bbbbbbbb-0000-4000-8000-000000000002' });
    expect(fallback.connection).toMatchObject({ clientId: 'bbbbbbbb-0000-4000-8000-000000000002' });
  });

  it.each([
    ['neither form', {}, 'ORDERS_STORAGE', 'is required'],
    ['both forms', { ORDERS_STORAGE: 'UseDevelopmentStorage=true', ...IDENTITY }, 'ORDERS_STORAGE__tableServiceUri', 'must not be set together'],
    ['an account key in Azure', { ORDERS_STORAGE: ACCOUNT_KEY, WEBSITE_INSTANCE_ID: 'abc' }, 'ORDERS_STORAGE', 'must not carry an account key when running in Azure'],
    ['Azurite in Azure', { ORDERS_STORAGE: 'UseDevelopmentStorage=true', WEBSITE_INSTANCE_ID: 'abc' }, 'ORDERS_STORAGE', 'must not carry an account key'],
    ['a connection string that is not one', { ORDERS_STORAGE: 'hello' }, 'ORDERS_STORAGE', 'must be a storage connection string'],
    ['a key without its account', { ORDERS_STORAGE: 'AccountKey=abc=' }, 'ORDERS_STORAGE', 'AccountName'],
    ['http to a remote endpoint', { ORDERS_STORAGE: 'AccountName=a;AccountKey=abc=;TableEndpoint=http://contoso.table.core.windows.net' }, 'ORDERS_STORAGE', 'https'],
    ['a service URI over http', { ORDERS_STORAGE__tableServiceUri: 'http://contoso.table.core.windows.net' }, 'ORDERS_STORAGE__tableServiceUri', 'https URL'],
    ['a service URI with a path', { ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net/orders' }, 'ORDERS_STORAGE__tableServiceUri', 'https URL'],
    ['a client ID that is not a GUID', { ...IDENTITY, ORDERS_STORAGE__clientId: 'me' }, 'ORDERS_STORAGE__clientId', 'GUID'],
    ['a client ID without the identity form', { ORDERS_STORAGE: 'UseDevelopmentStorage=true', ORDERS_STORAGE__clientId: 'aaaaaaaa-0000-4000-8000-000000000001' }, 'ORDERS_STORAGE__clientId', 'applies only'],
    ['a table name with a dash', { ORDERS_STORAGE: 'UseDevelopmentStorage=true', ORDERS_TABLE_NAME: 'my-orders' }, 'ORDERS_TABLE_NAME', 'table name'],
    ['the reserved table name', { ORDERS_STORAGE: 'UseDevelopmentStorage=true', ORDERS_TABLE_NAME: 'Tables' }, 'ORDERS_TABLE_NAME', 'reserved'],
  ])('refuses %s at startup, naming the setting', (_name, source, setting, message) => {
    const error = refusal(source);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(message);
  });

  it('never echoes a connection string value in its message', () => {
    const error = refusal({ ORDERS_STORAGE: ACCOUNT_KEY, WEBSITE_INSTANCE_ID: 'abc' });
    expect(error.message).not.toContain('AccountKey=');
    expect(error.message).not.toContain('contoso');
  });
});
