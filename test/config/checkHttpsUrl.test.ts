import { checkHttpsUrl } from 'azure-functions-entra-auth/settings';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { SettingsError } from 'azure-functions-entra-auth/settings';
import { loadSigningSettings } from '../../lib/config/signingSettings';
import { loadTelemetrySettings } from 'azure-functions-entra-auth/app-insights';

const IKEY = '11111111-2222-4333-8444-555555555555';

function refused(load: () => unknown): string | undefined {
  try {
    load();
  } catch (error) {
    if (error instanceof SettingsError) return error.setting;
    throw error;
  }
  return undefined;
}

/** Each URL setting, as a function of one origin (path-free, so bare-origin settings take it too). */
const settings: [string, (origin: string) => string | undefined][] = [
  ['SIGNING_KEY_VAULT_URL', (origin) => refused(() => loadSigningSettings({ SIGNING_KEY_VAULT_URL: origin, SIGNING_KEY_NAME: 'k', SIGNING_ISSUER: 'https://app.contoso.com' }))],
  ['the TableEndpoint of ORDERS_STORAGE', (origin) => refused(() => loadOrdersSettings({ ORDERS_STORAGE: `AccountName=a;AccountKey=abc=;TableEndpoint=${origin}` }))],
  ['ORDERS_STORAGE__tableServiceUri', (origin) => refused(() => loadOrdersSettings({ ORDERS_STORAGE__tableServiceUri: origin }))],
  ['the IngestionEndpoint of APPLICATIONINSIGHTS_CONNECTION_STRING', (origin) => refused(() => loadTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=${origin}` }))],
];

describe('one https URL rule for every URL setting', () => {
  it.each(settings)('%s refuses plain http off loopback, credentials, a fragment and a non-URL', (_name, load) => {
    for (const bad of ['http://contoso.example.net', 'https://user:pw@contoso.example.net', 'https://contoso.example.net#x', 'contoso.example.net']) {
      expect(load(bad)).toBeDefined();
    }
    expect(load('https://contoso.example.net')).toBeUndefined();
  });

  it('allows plain http to a loopback host only in settings that may point at a local stand-in (Key Vault, Azurite)', () => {
    expect(settings.map(([name, load]) => [name, load('http://127.0.0.1:10002') === undefined])).toEqual([
      ['SIGNING_KEY_VAULT_URL', true],
      ['the TableEndpoint of ORDERS_STORAGE', true],
      ['ORDERS_STORAGE__tableServiceUri', false],
      ['the IngestionEndpoint of APPLICATIONINSIGHTS_CONNECTION_STRING', false],
    ]);
  });

  it('says what is wrong, as a phrase to follow a setting name', () => {
    expect(checkHttpsUrl('https://contoso.example.net/keys', { bareOrigin: true })).toEqual({ problem: 'must be a bare origin with no path, query or fragment' });
    expect(checkHttpsUrl('http://contoso.example.net', { loopbackHttp: false })).toEqual({ problem: 'must use https' });
    expect(checkHttpsUrl('nope', { example: 'https://contoso.example.net' })).toEqual({ problem: 'must be an absolute URL such as https://contoso.example.net' });
  });
});
