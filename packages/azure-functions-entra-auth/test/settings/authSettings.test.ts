import { loadAuthSettings, type AuthSettings } from '../../src/settings/authSettings';
import type { SettingsSource } from '../../src/settings/settingsSource';
import { SettingsError } from '../../src/settings/settingsError';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const CALLER = '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01';

/** The two settings every deployment needs, plus `extra`. */
function load(extra: SettingsSource = {}): AuthSettings {
  return loadAuthSettings({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, ...extra });
}

function refusal(source: SettingsSource): SettingsError {
  try {
    loadAuthSettings(source);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('loadAuthSettings accepted the settings');
}

/** Asserts a SettingsError for `setting` whose message names the setting and gives the reason. */
function expectRefused(source: SettingsSource, setting: string, reason: RegExp): void {
  const error = refusal(source);
  expect(error).toBeInstanceOf(SettingsError);
  expect(error.code).toBe('setting_invalid');
  expect(error.setting).toBe(setting);
  expect(error.message).toContain(`Invalid setting ${setting}: `);
  expect(error.message).toMatch(reason);
}

describe('loadAuthSettings: required settings', () => {
  it('reads a minimal single-tenant configuration and fills in the defaults', () => {
    expect(load()).toEqual({
      tenant: { kind: 'single', tenantId: TENANT },
      clientId: CLIENT_ID,
      appIdUri: undefined,
      audiences: [CLIENT_ID],
      instance: 'https://login.microsoftonline.com',
      allowedClientApps: undefined,
      allowTokensWithoutPermissions: false,
      tokenVersions: ['1.0', '2.0'],
      clockSkewSeconds: 300,
      maxTokenLifetimeSeconds: 100_800,
      // The AUTH_* form is one workforce authority, named default (issue 22).
      authorities: [
        {
          name: 'default',
          kind: 'workforce',
          tenant: { kind: 'single', tenantId: TENANT },
          clientId: CLIENT_ID,
          appIdUri: undefined,
          audiences: [CLIENT_ID],
          allowedClientApps: undefined,
          instance: 'https://login.microsoftonline.com',
          tokenVersions: ['1.0', '2.0'],
        },
      ],
    });
  });

  it('refuses a missing AUTH_TENANT_ID', () => {
    expectRefused({ AUTH_CLIENT_ID: CLIENT_ID }, 'AUTH_TENANT_ID', /is required/);
  });

  it('refuses a missing AUTH_CLIENT_ID', () => {
    expectRefused({ AUTH_TENANT_ID: TENANT }, 'AUTH_CLIENT_ID', /is required/);
  });

  it('names AUTH_TENANT_ID first when nothing is set', () => {
    expectRefused({}, 'AUTH_TENANT_ID', /is required/);
  });

  it.each(['contoso.onmicrosoft.com', '72f988bf86f141af91ab2d7cd011db47', '{72f988bf-86f1-41af-91ab-2d7cd011db47}', '72f988bf-86f1-41af-91ab-2d7cd011db4', 'Organizations', 'consumers'])(
    'refuses AUTH_TENANT_ID=%s',
    (value) => {
      expectRefused({ AUTH_TENANT_ID: value, AUTH_CLIENT_ID: CLIENT_ID }, 'AUTH_TENANT_ID', /must be a tenant GUID, or organizations \/ common/);
    },
  );

  it.each(['orders-api', 'api://orders-api', '6e74172b-be56-4843-9ff4-e66a39bb12e', '6e74172b-be56-4843-9ff4-e66a39bb12e3x'])('refuses AUTH_CLIENT_ID=%s', (value) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: value }, 'AUTH_CLIENT_ID', /must be a GUID \(the API app registration's client ID\)/);
  });

  it('lowercases GUIDs given in upper case', () => {
    const settings = loadAuthSettings({ AUTH_TENANT_ID: TENANT.toUpperCase(), AUTH_CLIENT_ID: CLIENT_ID.toUpperCase() });
    expect(settings.tenant).toEqual({ kind: 'single', tenantId: TENANT });
    expect(settings.clientId).toBe(CLIENT_ID);
    expect(settings.audiences).toEqual([CLIENT_ID]);
  });
});

describe('loadAuthSettings: multi-tenant APIs and AUTH_ALLOWED_TENANTS', () => {
  it.each(['organizations', 'common'])('requires AUTH_ALLOWED_TENANTS when AUTH_TENANT_ID is %s', (authority) => {
    expectRefused({ AUTH_TENANT_ID: authority, AUTH_CLIENT_ID: CLIENT_ID }, 'AUTH_ALLOWED_TENANTS', new RegExp(`is required when AUTH_TENANT_ID is ${authority}`));
  });

  it.each(['organizations', 'common'] as const)('with AUTH_TENANT_ID=%s reads the allow-list: trimmed, lowercased, duplicates and empties dropped', (authority) => {
    const settings = load({ AUTH_TENANT_ID: authority, AUTH_ALLOWED_TENANTS: ` ${TENANT} ,${OTHER_TENANT.toUpperCase()},, ${TENANT}` });
    expect(settings.tenant).toEqual({ kind: 'multi', authorityTenant: authority, allowedTenants: [TENANT, OTHER_TENANT] });
  });

  it('reads * as any tenant', () => {
    expect(load({ AUTH_TENANT_ID: 'common', AUTH_ALLOWED_TENANTS: '*' }).tenant).toEqual({ kind: 'multi', authorityTenant: 'common', allowedTenants: 'any' });
  });

  it.each([
    ['a name', `${TENANT},contoso.com`, /must be a GUID \(tenant IDs, or \* for any\)/],
    ['* among GUIDs', `${TENANT},*`, /must be a GUID/],
    ['only commas', ' , ,', /must list at least one tenant GUID/],
  ])('refuses an allow-list holding %s', (_what, value, reason) => {
    expectRefused({ AUTH_TENANT_ID: 'organizations', AUTH_CLIENT_ID: CLIENT_ID, AUTH_ALLOWED_TENANTS: value }, 'AUTH_ALLOWED_TENANTS', reason);
  });

  it.each([TENANT, '*'])('refuses AUTH_ALLOWED_TENANTS=%s for a single-tenant API', (value) => {
    expectRefused(
      { AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_ALLOWED_TENANTS: value },
      'AUTH_ALLOWED_TENANTS',
      /applies only to a multi-tenant API/,
    );
  });
});

describe('loadAuthSettings: AUTH_APP_ID_URI and the accepted audiences', () => {
  it.each([
    ['api://orders-api', 'api://orders-api'],
    [`api://${CLIENT_ID}`, `api://${CLIENT_ID}`],
    ['https://contoso.com/orders', 'https://contoso.com/orders'],
    ['api://orders-api/', 'api://orders-api'],
    ['https://contoso.com/orders//', 'https://contoso.com/orders'],
  ])('accepts %s, and the client ID and the URI with and without a trailing slash as audiences', (value, uri) => {
    const settings = load({ AUTH_APP_ID_URI: value });
    expect(settings.appIdUri).toBe(uri);
    expect(settings.audiences).toEqual([CLIENT_ID, uri, `${uri}/`]);
  });

  it.each(['orders-api', 'http://contoso.com/orders', 'urn:orders', 'api://orders api', 'api://orders?x=1', 'https://contoso.com/orders#frag', 'api://'])(
    'refuses AUTH_APP_ID_URI=%s',
    (value) => {
      expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_APP_ID_URI: value }, 'AUTH_APP_ID_URI', /must be an App ID URI/);
    },
  );
});

describe('loadAuthSettings: AUTH_INSTANCE', () => {
  it.each([
    ['https://login.microsoftonline.com', 'https://login.microsoftonline.com'],
    ['https://login.microsoftonline.com/', 'https://login.microsoftonline.com'],
    ['https://login.microsoftonline.us', 'https://login.microsoftonline.us'],
    ['https://login.partner.microsoftonline.cn', 'https://login.partner.microsoftonline.cn'],
    ['https://contoso.ciamlogin.com', 'https://contoso.ciamlogin.com'],
    ['https://login.microsoftonline.com:443', 'https://login.microsoftonline.com'],
    ['http://127.0.0.1:7071', 'http://127.0.0.1:7071'],
    ['http://localhost:8080/', 'http://localhost:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('accepts %s as the origin %s', (value, origin) => {
    expect(load({ AUTH_INSTANCE: value }).instance).toBe(origin);
  });

  it.each([
    ['http on a public host', 'http://login.microsoftonline.com', /must use https \(http is allowed only for 127\.0\.0\.1, localhost and \[::1\]\)/],
    ['http on another loopback address', 'http://127.0.0.2:8080', /must use https/],
    ['http on a look-alike of localhost', 'http://localhost.contoso.com', /must use https/],
    ['another scheme', 'ftp://login.microsoftonline.com', /must use https/],
    ['a path', 'https://login.microsoftonline.com/common', /must be a bare origin with no path, query or fragment/],
    ['a query', 'https://login.microsoftonline.com/?x=1', /must be a bare origin/],
    ['a fragment', 'https://login.microsoftonline.com/#x', /must be a bare origin/],
    ['credentials', 'https://user:secret@login.microsoftonline.com', /must not carry credentials/],
    ['a bare host name', 'login.microsoftonline.com', /must be an absolute URL/],
  ])('refuses %s: %s', (_what, value, reason) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_INSTANCE: value }, 'AUTH_INSTANCE', reason);
  });

  it('does not echo credentials from a refused AUTH_INSTANCE into the message', () => {
    const error = refusal({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_INSTANCE: 'https://user:secret@login.microsoftonline.com' });
    expect(error.message).not.toContain('secret');
  });
});

describe('loadAuthSettings: AUTH_ALLOWED_CLIENT_APPS', () => {
  it('reads a comma-separated list of caller app IDs, trimmed, lowercased and de-duplicated', () => {
    expect(load({ AUTH_ALLOWED_CLIENT_APPS: `${CALLER.toUpperCase()}, ${OTHER_TENANT} ,${OTHER_TENANT},` }).allowedClientApps).toEqual([CALLER, OTHER_TENANT]);
  });

  it.each([
    ['a name', 'orders-daemon', /must be a GUID \(caller app IDs\)/],
    ['only commas', ',', /must list at least one client app ID/],
    ['*', '*', /must be a GUID/],
  ])('refuses %s', (_what, value, reason) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_ALLOWED_CLIENT_APPS: value }, 'AUTH_ALLOWED_CLIENT_APPS', reason);
  });
});

describe('loadAuthSettings: AUTH_TOKEN_VERSIONS', () => {
  it.each([
    ['2.0', ['2.0']],
    ['1.0', ['1.0']],
    [' 2.0 , 1.0 ', ['2.0', '1.0']],
    ['1.0,1.0', ['1.0']],
  ])('reads %s as %j', (value, versions) => {
    expect(load({ AUTH_TOKEN_VERSIONS: value }).tokenVersions).toEqual(versions);
  });

  it.each([
    ['3.0', /must list 1\.0 and\/or 2\.0/],
    ['2', /must list 1\.0 and\/or 2\.0/],
    ['v2.0', /must list 1\.0 and\/or 2\.0/],
    ['1.0;2.0', /must list 1\.0 and\/or 2\.0/],
    [',', /must list at least one token version/],
  ])('refuses %s', (value, reason) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_TOKEN_VERSIONS: value }, 'AUTH_TOKEN_VERSIONS', reason);
  });
});

describe('loadAuthSettings: AUTH_CLOCK_SKEW_SECONDS', () => {
  it.each([
    ['0', 0],
    ['60', 60],
    ['600', 600],
  ])('reads %s as %d seconds', (value, seconds) => {
    expect(load({ AUTH_CLOCK_SKEW_SECONDS: value }).clockSkewSeconds).toBe(seconds);
  });

  it.each([
    ['601', /must be at most 600 seconds/],
    ['86400', /must be at most 600 seconds/],
    ['-1', /must be a whole number of seconds/],
    ['1.5', /must be a whole number of seconds/],
    ['5m', /must be a whole number of seconds/],
    ['1e2', /must be a whole number of seconds/],
  ])('refuses %s', (value, reason) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_CLOCK_SKEW_SECONDS: value }, 'AUTH_CLOCK_SKEW_SECONDS', reason);
  });
});

describe('loadAuthSettings: AUTH_MAX_TOKEN_LIFETIME_SECONDS', () => {
  it.each([
    ['600', 600],
    ['86400', 86_400],
    ['604800', 604_800],
  ])('reads %s as %d seconds', (value, seconds) => {
    expect(load({ AUTH_MAX_TOKEN_LIFETIME_SECONDS: value }).maxTokenLifetimeSeconds).toBe(seconds);
  });

  it.each([
    ['599', /must be at least 600 seconds/],
    ['604801', /must be at most 604800 seconds/],
    ['1'.repeat(400), /expected number, received Infinity/],
    ['-1', /must be a whole number of seconds/],
    ['1e9', /must be a whole number of seconds/],
  ])('refuses %s', (value, reason) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_MAX_TOKEN_LIFETIME_SECONDS: value }, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', reason);
  });
});

describe('loadAuthSettings: empty values', () => {
  it('treats empty and blank strings as unset, so the defaults apply', () => {
    const settings = load({
      AUTH_APP_ID_URI: '',
      AUTH_INSTANCE: '  ',
      AUTH_ALLOWED_CLIENT_APPS: '',
      AUTH_TOKEN_VERSIONS: '',
      AUTH_CLOCK_SKEW_SECONDS: ' ',
      AUTH_ALLOWED_TENANTS: '',
    });
    expect(settings).toEqual(load());
  });

  it.each(['AUTH_TENANT_ID', 'AUTH_CLIENT_ID'])('reports an empty %s as missing', (setting) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, [setting]: '' }, setting, /is required/);
  });

  it('reports an empty AUTH_ALLOWED_TENANTS as missing for a multi-tenant API', () => {
    expectRefused({ AUTH_TENANT_ID: 'organizations', AUTH_CLIENT_ID: CLIENT_ID, AUTH_ALLOWED_TENANTS: '' }, 'AUTH_ALLOWED_TENANTS', /is required when/);
  });

  it('trims surrounding whitespace from values', () => {
    const settings = loadAuthSettings({ AUTH_TENANT_ID: ` ${TENANT}\n`, AUTH_CLIENT_ID: `\t${CLIENT_ID} `, AUTH_APP_ID_URI: ' api://orders-api ' });
    expect(settings.tenant).toEqual({ kind: 'single', tenantId: TENANT });
    expect(settings.appIdUri).toBe('api://orders-api');
  });
});

describe('loadAuthSettings: the result', () => {
  it('is deeply frozen', () => {
    const settings = load({
      AUTH_TENANT_ID: 'organizations',
      AUTH_ALLOWED_TENANTS: TENANT,
      AUTH_APP_ID_URI: 'api://orders-api',
      AUTH_ALLOWED_CLIENT_APPS: CALLER,
    });
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.tenant)).toBe(true);
    expect(settings.tenant.kind === 'multi' && Object.isFrozen(settings.tenant.allowedTenants)).toBe(true);
    expect(Object.isFrozen(settings.audiences)).toBe(true);
    expect(Object.isFrozen(settings.allowedClientApps)).toBe(true);
    expect(Object.isFrozen(settings.tokenVersions)).toBe(true);
    // Test files are modules, hence strict mode: writes to frozen objects throw.
    expect(() => {
      (settings.audiences as string[]).push('api://someone-else');
    }).toThrow(TypeError);
    expect(() => {
      (settings as { clockSkewSeconds: number }).clockSkewSeconds = 3600;
    }).toThrow(TypeError);
    expect(settings.audiences).toEqual([CLIENT_ID, 'api://orders-api', 'api://orders-api/']);
  });

  it('ignores settings outside the AUTH_ prefix (AUTH_* names it does not read: unknownSettings.test.ts)', () => {
    expect(load({ WEBSITE_SITE_NAME: 'orders', WEBSITE_AUTH_ENABLED: 'True', ORDERS_STORAGE: 'x' })).toEqual(load());
  });
});

describe('normalisation found by review', () => {
  const base = { AUTH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47', AUTH_CLIENT_ID: '6e74172b-be56-4843-9ff4-e66a39bb12e3' };

  it('removes duplicate client apps that differ only in letter case', () => {
    const settings = loadAuthSettings({
      ...base,
      AUTH_ALLOWED_CLIENT_APPS: '0F5A2F0E-7A56-4F0B-9A55-1F3C2B1E9D01,0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01',
    });
    expect(settings.allowedClientApps).toEqual(['0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01']);
  });

  it.each(['api:///', 'https:///', 'api://'])('refuses the empty App ID URI %s', (value) => {
    expect(() => loadAuthSettings({ ...base, AUTH_APP_ID_URI: value })).toThrow('Invalid setting AUTH_APP_ID_URI');
  });
});

describe('loadAuthSettings: AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS', () => {
  it('is off unless set', () => {
    expect(load().allowTokensWithoutPermissions).toBe(false);
    expect(load({ AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: 'false' }).allowTokensWithoutPermissions).toBe(false);
  });

  it('is accepted together with AUTH_ALLOWED_CLIENT_APPS, the list that then does the access control', () => {
    const settings = load({ AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: 'true', AUTH_ALLOWED_CLIENT_APPS: CALLER });
    expect(settings.allowTokensWithoutPermissions).toBe(true);
    expect(settings.allowedClientApps).toEqual([CALLER]);
  });

  it('is refused without AUTH_ALLOWED_CLIENT_APPS, with a message naming both settings', () => {
    expectRefused(
      { AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: 'true' },
      'AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS',
      /needs AUTH_ALLOWED_CLIENT_APPS/,
    );
  });

  it.each(['yes', '1', 'TRUE ON'])('refuses %s: it must be true or false', (value) => {
    expectRefused({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: CLIENT_ID, AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: value }, 'AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS', /must be true or false/);
  });
});
