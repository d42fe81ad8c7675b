import { SettingsError } from 'azure-functions-entra-auth/settings';
import { loadRevocationSettings } from '../../lib/config/revocationSettings';

function refusal(source: Record<string, string>, ordersTable?: string): { setting: string; message: string } {
  try {
    loadRevocationSettings(source, ordersTable);
  } catch (error) {
    if (error instanceof SettingsError) return { setting: error.setting, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('REVOCATION_* settings', () => {
  it('defaults to a 5 s refresh, a 300 s staleness bound, failing closed, in the revocations table', () => {
    const settings = loadRevocationSettings({});
    expect(settings).toEqual({ tableName: 'revocations', refreshIntervalSeconds: 5, maxStalenessSeconds: 300, failOpen: false });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('takes every setting', () => {
    expect(
      loadRevocationSettings({ REVOCATION_TABLE_NAME: 'denyRules', REVOCATION_REFRESH_SECONDS: '2', REVOCATION_MAX_STALENESS_SECONDS: '60', REVOCATION_FAIL_OPEN: 'true' }),
    ).toEqual({ tableName: 'denyRules', refreshIntervalSeconds: 2, maxStalenessSeconds: 60, failOpen: true });
  });

  it.each([
    [{ REVOCATION_REFRESH_SECONDS: '9' }, 'REVOCATION_REFRESH_SECONDS'],
    [{ REVOCATION_REFRESH_SECONDS: '0' }, 'REVOCATION_REFRESH_SECONDS'],
    [{ REVOCATION_REFRESH_SECONDS: '2.5' }, 'REVOCATION_REFRESH_SECONDS'],
    [{ REVOCATION_MAX_STALENESS_SECONDS: '5' }, 'REVOCATION_MAX_STALENESS_SECONDS'],
    [{ REVOCATION_MAX_STALENESS_SECONDS: '99999' }, 'REVOCATION_MAX_STALENESS_SECONDS'],
    [{ REVOCATION_FAIL_OPEN: 'yes' }, 'REVOCATION_FAIL_OPEN'],
    [{ REVOCATION_TABLE_NAME: 'no-dashes' }, 'REVOCATION_TABLE_NAME'],
    [{ REVOCATION_TABLE_NAME: 'Tables' }, 'REVOCATION_TABLE_NAME'],
  ])('refuses %j, naming the setting', (source, setting) => {
    expect(refusal(source).setting).toBe(setting);
  });

  it('refuses a misspelt or unknown REVOCATION_* name instead of ignoring it', () => {
    expect(refusal({ REVOCATION_FAILOPEN: 'true' })).toMatchObject({ setting: 'REVOCATION_FAILOPEN', message: expect.stringContaining('REVOCATION_FAIL_OPEN') as unknown });
    expect(refusal({ revocation_refresh_seconds: '2' }).setting).toBe('revocation_refresh_seconds');
  });

  it('refuses the orders table as the rules table', () => {
    expect(refusal({ REVOCATION_TABLE_NAME: 'Orders' }, 'orders').setting).toBe('REVOCATION_TABLE_NAME');
  });
});
