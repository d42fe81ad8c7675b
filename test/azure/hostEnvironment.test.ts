import path from 'node:path';
import { tmpdir } from 'node:os';
import { readHostEnvironment } from 'azure-functions-entra-auth/settings';
import { resolveAuthSettings } from 'azure-functions-entra-auth';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import type { SettingsSource } from 'azure-functions-entra-auth/settings';
import { SettingsError } from 'azure-functions-entra-auth/settings';
import { loadSigningSettings } from '../../lib/config/signingSettings';

const ACCOUNT_KEY = `DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=${Buffer.from('k'.repeat(64)).toString('base64')};EndpointSuffix=core.windows.net`;
const VAULT = { SIGNING_KEY_VAULT_URL: 'https://contoso-signing.vault.azure.net', SIGNING_KEY_NAME: 'assertions', SIGNING_ISSUER: 'https://orders-api.azurewebsites.net' };
/** Never read in Azure: the refusal comes first. Outside Azure its absence is the (different) failure. */
const MISSING_CA = path.join(tmpdir(), 'no-such-dir', 'ca.pem');

/** A local stand-in authority, the only kind AUTH_INSTANCE_CA_FILE applies to. */
const AUTH = {
  AUTH_TENANT_ID: 'de700000-0000-4000-8000-000000000001',
  AUTH_CLIENT_ID: 'de700000-0000-4000-8000-0000000a0002',
  AUTH_INSTANCE: 'https://127.0.0.1:7443',
};

function refusal(load: () => unknown): SettingsError | undefined {
  try {
    load();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  return undefined;
}

/** What each settings module concludes about "running in Azure" from the same environment. */
function verdicts(env: SettingsSource) {
  const devSigner = refusal(() => loadSigningSettings(env));
  const accountKey = refusal(() => loadOrdersSettings({ ...env, ORDERS_STORAGE: ACCOUNT_KEY }));
  const caFile = refusal(() => resolveAuthSettings({}, { ...env, ...AUTH, AUTH_INSTANCE_CA_FILE: MISSING_CA }));
  const { signer } = loadSigningSettings({ ...env, ...VAULT });
  return {
    host: readHostEnvironment(env).runningInAzure,
    signer: signer.kind === 'keyVault' && signer.runningInAzure,
    orders: loadOrdersSettings({ ...env, ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' }).runningInAzure,
    devSignerRefused: devSigner?.message.includes('is required when running in Azure') ?? false,
    accountKeyRefused: accountKey?.message.includes('must not carry an account key when running in Azure') ?? false,
    caFileRefused: caFile?.message.includes('refused in Azure') ?? false,
  };
}

describe('running in Azure: one rule, the same for every settings module', () => {
  it.each<[string, SettingsSource, boolean]>([
    ['WEBSITE_INSTANCE_ID', { WEBSITE_INSTANCE_ID: 'a1b2c3' }, true],
    ['WEBSITE_SITE_NAME alone (e.g. Flex Consumption)', { WEBSITE_SITE_NAME: 'orders-func' }, true],
    ['both', { WEBSITE_INSTANCE_ID: 'a1b2c3', WEBSITE_SITE_NAME: 'orders-func' }, true],
    ['neither', {}, false],
    ['markers set but empty, as local.settings.json often has them', { WEBSITE_INSTANCE_ID: '', WEBSITE_SITE_NAME: ' ' }, false],
    ['WEBSITE_HOSTNAME only, which Core Tools sets under func start', { WEBSITE_HOSTNAME: 'localhost:7071' }, false],
    ['a managed identity endpoint only (Arc, Cloud Shell, a stand-in)', { IDENTITY_ENDPOINT: 'http://127.0.0.1:4141/msi/token', IDENTITY_HEADER: 'x' }, false],
  ])('%s', (_name, env, inAzure) => {
    expect(verdicts(env)).toEqual({ host: inAzure, signer: inAzure, orders: inAzure, devSignerRefused: inAzure, accountKeyRefused: inAzure, caFileRefused: inAzure });
  });

  it('names the variable that decided it in the refusal', () => {
    expect(refusal(() => loadOrdersSettings({ ORDERS_STORAGE: ACCOUNT_KEY, WEBSITE_SITE_NAME: 'orders-func' }))?.message).toContain('(WEBSITE_SITE_NAME is set)');
  });

  it('is decided by the host environment passed down, not re-read from the source', () => {
    const azure = readHostEnvironment({ WEBSITE_INSTANCE_ID: 'a1b2c3' });
    expect(loadOrdersSettings({ ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' }, azure)).toMatchObject({ runningInAzure: true, createTableIfMissing: false });
    expect(refusal(() => loadSigningSettings({}, azure))?.setting).toBe('SIGNING_KEY_VAULT_URL');
    expect(refusal(() => resolveAuthSettings({}, { ...AUTH, AUTH_INSTANCE_CA_FILE: MISSING_CA }, { host: azure }))?.message).toContain('refused in Azure (WEBSITE_INSTANCE_ID is set)');
  });
});
