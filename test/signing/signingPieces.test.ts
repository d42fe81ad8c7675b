import type { KeyProperties } from '@azure/keyvault-keys';
import { DEFAULT_FORWARDED_HEADERS, outgoingHeaders } from '../../lib/forwarding/outgoingHeaders';
import { chooseSigningVersion, usableVersions } from '../../lib/signing/keyVault/keyVersions';
import { classifyVaultError, VaultBusyError } from '../../lib/signing/keyVault/vaultFailure';

const NOW = Date.parse('2030-01-01T12:00:00Z');
const MINUTE = 60_000;

function version(id: string, change: Partial<KeyProperties> = {}): KeyProperties {
  return { name: 'k', vaultUrl: 'https://v.vault.azure.net', version: id, enabled: true, createdOn: new Date(NOW - 60 * MINUTE), ...change };
}

describe('which key versions are published', () => {
  it('enabled, active and unexpired ones, newest first', () => {
    const listed = [
      version('old', { createdOn: new Date(NOW - 90 * MINUTE) }),
      version('disabled', { enabled: false }),
      version('future', { notBefore: new Date(NOW + MINUTE) }),
      version('expired', { expiresOn: new Date(NOW - 1) }),
      version('new', { createdOn: new Date(NOW - 10 * MINUTE) }),
      version('activated-late', { createdOn: new Date(NOW - 120 * MINUTE), notBefore: new Date(NOW - 5 * MINUTE) }),
    ];
    expect(usableVersions(listed, NOW).map((v) => v.version)).toEqual(['activated-late', 'new', 'old']);
  });
});

describe('which version signs', () => {
  const key = (id: string, activeMinutesAgo: number, expiresInMinutes?: number) => ({
    id,
    activeFrom: NOW - activeMinutesAgo * MINUTE,
    expiresAt: expiresInMinutes === undefined ? undefined : NOW + expiresInMinutes * MINUTE,
  });
  const choice = { activationDelayMs: 5 * MINUTE, minRemainingMs: 2 * MINUTE };

  it('the newest one published for the activation delay', () => {
    expect(chooseSigningVersion([key('v3', 1), key('v2', 6), key('v1', 60)], NOW, choice)?.id).toBe('v2');
  });

  it('when none has been published that long, the oldest', () => {
    expect(chooseSigningVersion([key('v2', 1), key('v1', 2)], NOW, choice)?.id).toBe('v1');
    expect(chooseSigningVersion([key('v1', 0)], NOW, choice)?.id).toBe('v1');
  });

  it('never one expiring within an assertion lifetime', () => {
    expect(chooseSigningVersion([key('v2', 10, 1), key('v1', 60)], NOW, choice)?.id).toBe('v1');
    expect(chooseSigningVersion([key('v1', 60, 1)], NOW, choice)).toBeUndefined();
  });
});

describe('headers sent to a backend', () => {
  it("carry the assertion as the only Authorization, never the caller's credentials, even if allow-listed", () => {
    const incoming = new Headers({
      authorization: 'Bearer caller-token',
      cookie: 'session=1',
      'x-ms-token-aad-access-token': 'caller-token',
      'x-ms-client-principal': 'e30=',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-custom': 'kept out',
    });
    const headers = outgoingHeaders('assertion', incoming, [...DEFAULT_FORWARDED_HEADERS, 'Authorization', 'cookie', 'x-ms-token-aad-access-token', 'x-ms-client-principal']);
    expect(Object.fromEntries(headers)).toEqual({
      authorization: 'Bearer assertion',
      accept: 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });
});

describe('vault failures', () => {
  const restError = (statusCode: number | undefined, headers: Record<string, string> = {}, code?: string) =>
    Object.assign(new Error('vault said no'), { name: 'RestError', statusCode, code, response: { headers: new Map(Object.entries(headers)) } });

  it.each<[string, unknown, object]>([
    ['429 with Retry-After', restError(429, { 'retry-after': '7' }), { code: 'vault_throttled', status: 429, retryAfterSeconds: 7 }],
    ['503 with retry-after-ms', restError(503, { 'retry-after-ms': '1500' }), { code: 'vault_unavailable', retryAfterSeconds: 2 }],
    ['500 without a header', restError(500), { code: 'vault_unavailable', retryAfterSeconds: 5 }],
    ['403', restError(403), { code: 'vault_denied', retryAfterSeconds: 30 }],
    ['404', restError(404), { code: 'key_not_found' }],
    ['connection refused', restError(undefined, {}, 'ECONNREFUSED'), { code: 'vault_unavailable', status: undefined }],
    ['a fail-fast pause', new VaultBusyError(429, 40), { code: 'vault_throttled', retryAfterSeconds: 40 }],
    ['a deadline', Object.assign(new Error('aborted'), { name: 'AbortError' }), { code: 'vault_timeout' }],
    ['no credential', Object.assign(new Error('no az login'), { name: 'CredentialUnavailableError' }), { code: 'credential_unavailable' }],
  ])('%s', (_name, error, expected) => {
    expect(classifyVaultError(error, NOW)).toMatchObject(expected);
  });
});
