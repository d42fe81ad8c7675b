import { createEntraAuth } from '../../src/createEntraAuth';
import { AUTH_SETTING_NAMES, resolveAuthSettings } from '../../src/settings/authOptions';
import { loadAuthSettings } from '../../src/settings/authSettings';
import { SettingsError } from '../../src/settings/settingsError';
import type { SettingsSource } from '../../src/settings/settingsSource';
import { closestName, editDistance } from '../../src/settings/unknownSettings';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const CALLER = '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01';
const REQUIRED = { AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID };

function refusal(run: () => unknown): SettingsError {
  try {
    run();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('the settings were accepted');
}

describe('an AUTH_* name the package does not read', () => {
  it('is refused at startup, naming the setting it most likely meant (the misspelt allow-list that let every client in)', () => {
    const error = refusal(() => loadAuthSettings({ ...REQUIRED, AUTH_ALLOWED_CLIENT_APP: CALLER }));
    expect(error.setting).toBe('AUTH_ALLOWED_CLIENT_APP');
    expect(error.message).toBe('Invalid setting AUTH_ALLOWED_CLIENT_APP: not a setting of azure-functions-entra-auth; did you mean AUTH_ALLOWED_CLIENT_APPS?');
  });

  it.each([
    ['AUTH_TENANTID', 'AUTH_TENANT_ID'],
    ['AUTH_CLEINT_ID', 'AUTH_CLIENT_ID'],
    ['AUTH_ALLOWED_TENANT', 'AUTH_ALLOWED_TENANTS'],
    ['AUTH_TOKEN_VERSION', 'AUTH_TOKEN_VERSIONS'],
    ['auth_client_id', 'AUTH_CLIENT_ID'],
  ])('%s is refused with "did you mean %s?"', (name, meant) => {
    expect(refusal(() => loadAuthSettings({ ...REQUIRED, [name]: 'x' })).message).toMatch(new RegExp(`^Invalid setting ${name}: .*; did you mean ${meant}\\?$`));
  });

  it('is refused before the settings it stands in for are checked, so a misspelt required one is named as misspelt', () => {
    expect(refusal(() => loadAuthSettings({ AUTH_TENANTID: TENANT, AUTH_CLIENT_ID: CLIENT_ID })).setting).toBe('AUTH_TENANTID');
  });

  it('is refused even when empty, since the name is what is wrong', () => {
    expect(refusal(() => loadAuthSettings({ ...REQUIRED, AUTH_ALLOWED_CLIENT_APP: '' })).setting).toBe('AUTH_ALLOWED_CLIENT_APP');
  });

  it('far from every setting, is refused with the list of settings and the way to keep an AUTH_* variable of the app', () => {
    const error = refusal(() => loadAuthSettings({ ...REQUIRED, AUTH_SOMETHING_ELSE: 'x' }));
    expect(error.message).toContain('Invalid setting AUTH_SOMETHING_ELSE: not a setting of azure-functions-entra-auth, which reads AUTH_TENANT_ID, AUTH_CLIENT_ID,');
    expect(error.message).toContain('AUTH_INSTANCE_CA_FILE');
    expect(error.message).toContain('name it in the ignoreSettings option');
  });

  it('is left alone when the app names it in ignoreSettings, while another misspelling is still refused', () => {
    const source: SettingsSource = { ...REQUIRED, AUTH_SESSION_SECRET_NAME: 'orders-session' };
    expect(loadAuthSettings(source, { ignoreSettings: ['AUTH_SESSION_SECRET_NAME'] })).toEqual(loadAuthSettings(REQUIRED));
    expect(refusal(() => loadAuthSettings({ ...source, AUTH_CLOCK_SKEW: '60' }, { ignoreSettings: ['AUTH_SESSION_SECRET_NAME'] })).setting).toBe('AUTH_CLOCK_SKEW');
  });
});

describe('the names the package reads and those the platform sets', () => {
  it('accepts every name in AUTH_SETTING_NAMES, AUTH_INSTANCE_CA_FILE included', () => {
    expect(AUTH_SETTING_NAMES).toContain('AUTH_INSTANCE_CA_FILE');
    expect(() => loadAuthSettings({ ...REQUIRED, AUTH_INSTANCE_CA_FILE: 'ca.pem' })).not.toThrow();
  });

  it('ignores what Azure, App Service Easy Auth and Core Tools set, none of which starts with AUTH_', () => {
    const platform = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      FUNCTIONS_EXTENSION_VERSION: '~4',
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      AzureWebJobsScriptRoot: '/home/site/wwwroot',
      WEBSITE_SITE_NAME: 'orders',
      WEBSITE_AUTH_ENABLED: 'False',
      WEBSITE_AUTH_ENCRYPTION_KEY: 'x',
      APPSETTING_AUTH_CLIENT_ID: CLIENT_ID,
      MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: 'x',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
    };
    expect(loadAuthSettings({ ...REQUIRED, ...platform })).toEqual(loadAuthSettings(REQUIRED));
  });
});

describe('through resolveAuthSettings and createEntraAuth', () => {
  it('resolveAuthSettings refuses the misspelt name in env, attributed to no option', () => {
    const error = refusal(() => resolveAuthSettings({ allowedClientApps: [CALLER] }, { ...REQUIRED, AUTH_ALLOWED_CLIENTS_APPS: CALLER }));
    expect(error.message).toBe('Invalid setting AUTH_ALLOWED_CLIENTS_APPS: not a setting of azure-functions-entra-auth; did you mean AUTH_ALLOWED_CLIENT_APPS?');
  });

  it('createEntraAuth refuses it at startup, and accepts the names given in its ignoreSettings option', () => {
    const env = { ...REQUIRED, AUTH_ALLOWED_CLIENT_APP: CALLER };
    expect(refusal(() => createEntraAuth({ env })).setting).toBe('AUTH_ALLOWED_CLIENT_APP');
    const auth = createEntraAuth({ env, ignoreSettings: ['AUTH_ALLOWED_CLIENT_APP'] });
    // Ignored means not read: the allow-list stays unset.
    expect(auth.settings.allowedClientApps).toBeUndefined();
  });
});

describe('closestName and editDistance', () => {
  it('count insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect(editDistance('AUTH_ALLOWED_CLIENT_APP', 'AUTH_ALLOWED_CLIENT_APPS')).toBe(1);
    expect(editDistance('AUTH_CLEINT_ID', 'AUTH_CLIENT_ID')).toBe(1);
    expect(editDistance('AUTH_TENANT_ID', 'AUTH_TENANT_IX')).toBe(1);
    expect(editDistance('', 'ABC')).toBe(3);
    expect(editDistance('ABC', 'ABC')).toBe(0);
  });

  it('suggest nothing more than three edits away', () => {
    expect(closestName('AUTH_SOMETHING_ELSE', AUTH_SETTING_NAMES)).toBeUndefined();
    expect(closestName('AUTH_CLIENT', AUTH_SETTING_NAMES)).toBe('AUTH_CLIENT_ID');
  });
});
