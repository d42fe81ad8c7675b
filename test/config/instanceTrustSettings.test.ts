import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureLocalTls, type LocalTls } from '../../packages/azure-functions-entra-dev/src/tls/localTls';
import { loadInstanceTrustSettings } from '../../packages/azure-functions-entra-auth/src/settings/instanceTrustSettings';
import { SettingsError } from '../../packages/azure-functions-entra-auth/src/settings/settingsError';

const STANDIN = 'https://127.0.0.1:7443';
let stateDir: string;
let tls: LocalTls;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'instance-trust-'));
  tls = await ensureLocalTls({ stateDir });
});

afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

function refusal(source: Record<string, string>, instance = STANDIN): SettingsError {
  try {
    loadInstanceTrustSettings(source, { instance });
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('the settings were accepted');
}

describe('AUTH_INSTANCE_CA_FILE', () => {
  it('is optional: unset (or empty) means Node trust store only', () => {
    expect(loadInstanceTrustSettings({}, { instance: STANDIN })).toEqual({ caPem: undefined });
    expect(loadInstanceTrustSettings({ AUTH_INSTANCE_CA_FILE: '' }, { instance: 'https://login.microsoftonline.com' })).toEqual({ caPem: undefined });
  });

  it('reads the stand-in CA for an https loopback AUTH_INSTANCE, a relative name against the app root', () => {
    const settings = loadInstanceTrustSettings({ AUTH_INSTANCE_CA_FILE: path.join('tls', 'ca.pem') }, { instance: STANDIN, baseDir: stateDir });
    expect(settings.caPem).toBe(tls.caCertPem);
    expect(Object.isFrozen(settings)).toBe(true);
    expect(loadInstanceTrustSettings({ AUTH_INSTANCE_CA_FILE: tls.caPath }, { instance: 'https://localhost:7443' }).caPem).toBe(tls.caCertPem);
  });

  it.each([
    ['WEBSITE_INSTANCE_ID', { WEBSITE_INSTANCE_ID: 'a1b2c3' }],
    ['WEBSITE_SITE_NAME', { WEBSITE_SITE_NAME: 'orders-func' }],
  ])('is refused in Azure (%s set), naming itself and the marker', (marker, azure) => {
    const error = refusal({ AUTH_INSTANCE_CA_FILE: tls.caPath, ...azure });
    expect(error.setting).toBe('AUTH_INSTANCE_CA_FILE');
    expect(error.message).toMatch(/^Invalid setting AUTH_INSTANCE_CA_FILE: is for local development .* refused in Azure/);
    expect(error.message).toContain(`${marker} is set`);
  });

  it.each(['https://login.microsoftonline.com', 'https://login.microsoftonline.us', 'http://127.0.0.1:7443'])('is refused for AUTH_INSTANCE %s: it never widens what a real authority is trusted with', (instance) => {
    const error = refusal({ AUTH_INSTANCE_CA_FILE: tls.caPath }, instance);
    expect(error.setting).toBe('AUTH_INSTANCE_CA_FILE');
    expect(error.message).toContain('applies only to an https loopback AUTH_INSTANCE');
  });

  it('is refused when the file is missing, not a certificate, or not a CA', () => {
    expect(refusal({ AUTH_INSTANCE_CA_FILE: path.join(stateDir, 'nope.pem') }).message).toMatch(/cannot read .*nope\.pem \(ENOENT\): start the local stand-in once/);
    expect(refusal({ AUTH_INSTANCE_CA_FILE: tls.keyPath }).message).toContain('is not a PEM certificate');
    expect(refusal({ AUTH_INSTANCE_CA_FILE: tls.certPath }).message).toContain("is not a CA certificate (use the stand-in's CA file");
  });
});
