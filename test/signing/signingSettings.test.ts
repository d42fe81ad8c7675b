import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { SettingsError } from 'azure-functions-entra-auth';
import { DEVELOPMENT_ISSUER, loadSigningSettings } from '../../lib/config/signingSettings';
import { createSigning } from '../../lib/signing/createSigning';
import { ASSERTION_TYPE } from '../../lib/signing/identityAssertion';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import { testPrincipal } from './support/principals';

const VAULT = { SIGNING_KEY_VAULT_URL: 'https://contoso-signing.vault.azure.net', SIGNING_KEY_NAME: 'assertions', SIGNING_ISSUER: 'https://orders-api.azurewebsites.net' };

function refusal(source: Record<string, string>): { setting: string; message: string } {
  try {
    loadSigningSettings(source);
  } catch (error) {
    if (error instanceof SettingsError) return { setting: error.setting, message: error.message };
    throw error;
  }
  throw new Error('settings were accepted');
}

describe('without SIGNING_KEY_VAULT_URL: the local development signer', () => {
  it('is chosen, with the Core Tools URL as issuer', () => {
    expect(loadSigningSettings({})).toEqual({ signer: { kind: 'development' }, issuer: DEVELOPMENT_ISSUER, assertionLifetimeSeconds: 120, fulfilment: undefined });
  });

  it('is announced in one warning line, and signs assertions that verify against its key set', async () => {
    const lines: string[] = [];
    const signing = createSigning(loadSigningSettings({}), { announce: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^WARNING: SIGNING_KEY_VAULT_URL is not set.*in-memory development key.*local development only/);

    const token = await signing.assertions.issue(testPrincipal(), 'https://fulfilment.example.net');
    const jwks = (await invokeHttp(signing.jwks, { path: '.well-known/jwks.json' })).body as JSONWebKeySet;
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })]);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: DEVELOPMENT_ISSUER, audience: 'https://fulfilment.example.net', typ: ASSERTION_TYPE });
    expect(payload.tid).toBe(testPrincipal().tenantId);
  });

  it.each(['WEBSITE_INSTANCE_ID', 'WEBSITE_SITE_NAME'])('is refused in Azure (%s set), naming SIGNING_KEY_VAULT_URL', (marker) => {
    const { setting, message } = refusal({ [marker]: 'orders-api' });
    expect(setting).toBe('SIGNING_KEY_VAULT_URL');
    expect(message).toContain(`running in Azure (${marker} is set)`);
  });

  it('is refused when SIGNING_KEY_NAME is set without a vault', () => {
    expect(refusal({ SIGNING_KEY_NAME: 'assertions' }).setting).toBe('SIGNING_KEY_VAULT_URL');
  });
});

describe('Key Vault settings', () => {
  it('name the vault, the key and the issuer; a trailing slash on the issuer is dropped', () => {
    const settings = loadSigningSettings({ ...VAULT, SIGNING_ISSUER: 'https://orders-api.azurewebsites.net/', WEBSITE_INSTANCE_ID: 'abc', AZURE_CLIENT_ID: '0F5A2F0E-7A56-4F0B-9A55-1F3C2B1E9D01' });
    expect(settings.signer).toEqual({
      kind: 'keyVault',
      vaultUrl: 'https://contoso-signing.vault.azure.net',
      keyName: 'assertions',
      managedIdentityClientId: '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01',
      runningInAzure: true,
    });
    expect(settings.issuer).toBe('https://orders-api.azurewebsites.net');
    expect(Object.isFrozen(settings.signer)).toBe(true);
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['a plain-http vault', { SIGNING_KEY_VAULT_URL: 'http://contoso.vault.azure.net' }, 'SIGNING_KEY_VAULT_URL', /must use https/],
    ['a vault URL with a path', { SIGNING_KEY_VAULT_URL: 'https://contoso.vault.azure.net/keys/x' }, 'SIGNING_KEY_VAULT_URL', /bare origin/],
    ['a vault without a key name', { SIGNING_KEY_NAME: '' }, 'SIGNING_KEY_NAME', /is required when SIGNING_KEY_VAULT_URL is set/],
    ['a key name Key Vault would refuse', { SIGNING_KEY_NAME: 'my_key' }, 'SIGNING_KEY_NAME', /letters, digits and dashes/],
    ['a vault without an issuer', { SIGNING_ISSUER: '' }, 'SIGNING_ISSUER', /is required/],
    ['a plain-http issuer', { SIGNING_ISSUER: 'http://orders-api.azurewebsites.net' }, 'SIGNING_ISSUER', /must use https/],
    ['an issuer with a query', { SIGNING_ISSUER: 'https://orders-api.azurewebsites.net/?x=1' }, 'SIGNING_ISSUER', /query or fragment/],
    ['an assertion lifetime over five minutes', { SIGNING_ASSERTION_LIFETIME_SECONDS: '301' }, 'SIGNING_ASSERTION_LIFETIME_SECONDS', /at most 300 seconds/],
    ['a malformed managed identity client ID', { AZURE_CLIENT_ID: 'orders-identity' }, 'AZURE_CLIENT_ID', /must be a GUID/],
  ])('refuse %s, naming the setting', (_case, change, setting, message) => {
    const refused = refusal({ ...VAULT, ...change });
    expect(refused.setting).toBe(setting);
    expect(refused.message).toMatch(message);
  });

  it('allow http for a loopback stand-in only', () => {
    expect(loadSigningSettings({ ...VAULT, SIGNING_KEY_VAULT_URL: 'http://127.0.0.1:8443' }).signer).toMatchObject({ vaultUrl: 'http://127.0.0.1:8443' });
  });
});

describe('FULFILMENT_URL', () => {
  it('is optional; its origin is the audience unless FULFILMENT_AUDIENCE says otherwise', () => {
    expect(loadSigningSettings({ FULFILMENT_URL: 'https://fulfil.contoso.com/api/fulfil' }).fulfilment).toEqual({ url: 'https://fulfil.contoso.com/api/fulfil', audience: 'https://fulfil.contoso.com' });
    expect(loadSigningSettings({ FULFILMENT_URL: 'https://fulfil.contoso.com/api/fulfil', FULFILMENT_AUDIENCE: 'api://fulfilment' }).fulfilment?.audience).toBe('api://fulfilment');
  });

  it('refuses plain http off loopback, and an audience without a URL', () => {
    expect(refusal({ FULFILMENT_URL: 'http://fulfil.contoso.com/api/fulfil' }).setting).toBe('FULFILMENT_URL');
    expect(refusal({ FULFILMENT_AUDIENCE: 'api://fulfilment' }).setting).toBe('FULFILMENT_AUDIENCE');
  });
});
