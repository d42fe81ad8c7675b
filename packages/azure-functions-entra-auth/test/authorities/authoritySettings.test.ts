import { resolveAuthSettings } from '../../src/settings/authOptions';
import { loadAuthSettings } from '../../src/settings/authSettings';
import { SettingsError } from '../../src/settings/settingsError';
import { API_CLIENT_ID, TENANT } from '../support/entraTokens';

/** Issue 22 item 5: several authorities as one structured setting, refused clearly when ambiguous. */

const OTHER = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
const employees = { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: API_CLIENT_ID };
const customers = { name: 'customers', kind: 'externalId', tenantId: OTHER, tenantName: 'contosocustomers', clientId: API_CLIENT_ID };
const legacy = { name: 'legacy', kind: 'b2c', tenantId: OTHER, tenantName: 'contosob2c', clientId: API_CLIENT_ID, userFlows: ['B2C_1_signin'] };

const load = (authorities: unknown, extra: Record<string, string> = {}) => loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(authorities), ...extra });

function refusal(run: () => unknown): { setting: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof SettingsError) return { setting: error.setting, message: error.message };
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('AUTH_AUTHORITIES', () => {
  it('reads the authorities in order; the first gives the single-authority fields', () => {
    const settings = load([employees, customers, legacy]);
    expect(settings.authorities.map((a) => [a.name, a.kind])).toEqual([['employees', 'workforce'], ['customers', 'externalId'], ['legacy', 'b2c']]);
    expect(settings.tenant).toEqual({ kind: 'single', tenantId: TENANT });
    expect(settings.clientId).toBe(API_CLIENT_ID);
    expect(settings.authorities[2]).toMatchObject({ host: 'contosob2c.b2clogin.com', userFlows: ['B2C_1_signin'] });
    expect(Object.isFrozen(settings.authorities[2])).toBe(true);
  });

  it('keeps the AUTH_* form as one workforce authority named default', () => {
    const settings = loadAuthSettings({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID });
    expect(settings.authorities).toEqual([expect.objectContaining({ name: 'default', kind: 'workforce', tenant: { kind: 'single', tenantId: TENANT } })]);
  });

  it('takes the list as the createEntraAuth option authorities, and names the option in a refusal', () => {
    expect(resolveAuthSettings({ authorities: [employees, customers] as never }).settings.authorities).toHaveLength(2);
    const { setting } = refusal(() => resolveAuthSettings({ authorities: [{ ...legacy, userFlows: [] }] as never }));
    expect(setting).toBe('AUTH_AUTHORITIES[0].userFlows (option authorities)');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['not JSON', '[{', 'AUTH_AUTHORITIES', /JSON array/],
    ['an empty list', [], 'AUTH_AUTHORITIES', /at least one/],
    ['an unknown kind', [{ ...employees, kind: 'adfs' }], 'AUTH_AUTHORITIES[0].kind', /./],
    ['an unknown field (a misspelling)', [{ ...employees, tenantid: TENANT }], 'AUTH_AUTHORITIES[0].tenantid', /not a field/],
    ['a B2C authority without a user flow', [{ ...legacy, userFlows: [] }], 'AUTH_AUTHORITIES[0].userFlows', /at least one user flow/],
    ['a B2C authority with no userFlows at all', [{ ...legacy, userFlows: undefined }], 'AUTH_AUTHORITIES[0].userFlows', /./],
    ['a wildcard tenant name', [{ ...customers, tenantName: '*' }], 'AUTH_AUTHORITIES[0].tenantName', /wildcards/],
    ['a tenant name given as a host (a suffix)', [{ ...legacy, tenantName: 'contosob2c.b2clogin.com' }], 'AUTH_AUTHORITIES[0].tenantName', /without dots/],
    ['a leading-dot suffix', [{ ...customers, tenantName: '.ciamlogin.com' }], 'AUTH_AUTHORITIES[0].tenantName', /without dots/],
    ['a wildcard custom domain', [{ ...legacy, customDomain: '*.contoso.com' }], 'AUTH_AUTHORITIES[0].customDomain', /wildcards/],
    ['a custom domain with a scheme', [{ ...legacy, customDomain: 'https://login.contoso.com' }], 'AUTH_AUTHORITIES[0].customDomain', /host name/],
    ['a wildcard user flow', [{ ...legacy, userFlows: ['B2C_1_*'] }], 'AUTH_AUTHORITIES[0].userFlows[0]', /wildcards/],
    ['a user flow named twice in two cases', [{ ...legacy, userFlows: ['B2C_1_signin', 'b2c_1_SIGNIN'] }], 'AUTH_AUTHORITIES[0].userFlows', /twice/],
    ['two authorities of one name', [employees, { ...customers, name: 'employees' }], 'AUTH_AUTHORITIES[1].name', /unique/],
    ['two authorities claiming one issuer', [employees, { ...employees, name: 'again' }], 'AUTH_AUTHORITIES (authority again)', /which authority employees claims too/],
    [
      "a workforce tenant that is also an External ID authority's login.microsoftonline.com issuer",
      [{ ...employees, tenantId: OTHER }, customers],
      'AUTH_AUTHORITIES (authority customers)',
      /claims the issuer https:\/\/login\.microsoftonline\.com\/f8cdef31-a31e-4b4a-93e4-5f571e91255a\/v2\.0/,
    ],
    [
      'a multi-tenant workforce authority beside an External ID tenant (its template matches that tenant)',
      [{ ...employees, tenantId: 'organizations', allowedTenants: '*' }, customers],
      'AUTH_AUTHORITIES (authority customers)',
      /\{tenantid\}/,
    ],
    ['two B2C authorities of one tenant', [legacy, { ...legacy, name: 'legacy2', userFlows: ['B2C_1_other'] }], 'AUTH_AUTHORITIES (authority legacy2)', /claims too/],
    ['a workforce origin with a wildcard', [{ ...employees, instance: 'https://*.microsoftonline.com' }], 'AUTH_AUTHORITIES[0].instance', /wildcards/],
    ['a multi-tenant authority without allowedTenants', [{ ...employees, tenantId: 'common' }], 'AUTH_AUTHORITIES[0].allowedTenants', /required/],
  ])('refuses %s, naming the entry and field', (_name, value, setting, message) => {
    const found = refusal(() => loadAuthSettings({ AUTH_AUTHORITIES: typeof value === 'string' ? value : JSON.stringify(value) }));
    expect(found.setting).toBe(setting);
    expect(found.message).toMatch(message);
  });

  it.each(['AUTH_TENANT_ID', 'AUTH_CLIENT_ID', 'AUTH_APP_ID_URI', 'AUTH_INSTANCE', 'AUTH_ALLOWED_TENANTS', 'AUTH_TOKEN_VERSIONS'])(
    'refuses %s beside it: each authority names its own',
    (name) => {
      const found = refusal(() => load([employees], { [name]: name === 'AUTH_INSTANCE' ? 'https://login.microsoftonline.com' : TENANT }));
      expect(found.setting).toBe(name);
      expect(found.message).toMatch(/beside AUTH_AUTHORITIES/);
    },
  );

  it('still refuses a misspelt name next to it', () => {
    expect(refusal(() => load([employees], { AUTH_AUTHORITES: '[]' })).message).toMatch(/did you mean AUTH_AUTHORITIES/);
  });

  it('keeps the global settings (skew, lifetime, caller apps) for every authority', () => {
    const settings = load([employees], { AUTH_CLOCK_SKEW_SECONDS: '60', AUTH_ALLOWED_CLIENT_APPS: API_CLIENT_ID });
    expect(settings).toMatchObject({ clockSkewSeconds: 60, allowedClientApps: [API_CLIENT_ID] });
  });
});
