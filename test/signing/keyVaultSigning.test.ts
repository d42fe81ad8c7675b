import { createHash } from 'node:crypto';
import { KeyClient } from '@azure/keyvault-keys';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import type { KeySpec } from '../../dev/keyvault-standin/vaultKeys';
import { DEFAULT_TENANT } from '../../dev/keyvault-standin/server';
import { SettingsError } from 'azure-functions-entra-auth';
import type { Signing } from '../../lib/signing/createSigning';
import { ASSERTION_TYPE } from '../../lib/signing/identityAssertion';
import { SigningUnavailableError } from '../../lib/signing/signingErrors';
import { CALLER_APP, TENANT } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { rejectionOf } from '../../packages/azure-functions-entra-auth/test/support/hostileTokens';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import { DAEMON_OID, testPrincipal } from './support/principals';
import { ISSUER, KEY_NAME, startVaultFixture, type VaultFixture } from './support/vaultFixture';

/**
 * Identity assertions signed through the real @azure/keyvault-keys clients against
 * the Key Vault stand-in (HTTPS on 127.0.0.1), checked with jose against the key set
 * the app publishes.
 */

const AUDIENCE = 'https://fulfilment.example.net';
const MINUTE = 60_000;

async function keySet(signing: Signing): Promise<{ status: number; headers: Headers; jwks: JSONWebKeySet }> {
  const result = await invokeHttp(signing.jwks, { path: '.well-known/jwks.json', route: '.well-known/jwks.json', functionName: 'jwks' });
  return { status: result.status, headers: result.headers, jwks: result.body as JSONWebKeySet };
}

/** Verifies as a backend would, at the time of the fixture's clock. */
async function verifyWith(jwks: JSONWebKeySet, token: string, now = Date.now()) {
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: AUDIENCE, typ: ASSERTION_TYPE, algorithms: ['ES256', 'RS256'], currentDate: new Date(now) });
}

function versionsOf(fixture: VaultFixture): string[] {
  return fixture.standin.versions(KEY_NAME).map((key) => key.version);
}

describe.each<[string, KeySpec, number]>([
  ['ES256', { kty: 'EC', crv: 'P-256' }, 64],
  ['RS256', { kty: 'RSA', keySize: 2048 }, 256],
])('%s: a key held in the vault', (alg, key, signatureBytes) => {
  let fixture: VaultFixture;
  beforeAll(async () => {
    fixture = await startVaultFixture({ key });
  });
  afterAll(() => fixture.stop());

  it('signs assertions there that verify against the published key set, kid = key version', async () => {
    const signing = fixture.signing();
    const token = await signing.assertions.issue(testPrincipal('app'), AUDIENCE);
    const [version] = versionsOf(fixture);

    const { status, headers, jwks } = await keySet(signing);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('public, max-age=300');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: version, alg, use: 'sig', kty: key.kty })]);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"|"p"|"q"/);

    const { payload, protectedHeader } = await verifyWith(jwks, token);
    expect(protectedHeader).toEqual({ alg, typ: ASSERTION_TYPE, kid: version });
    expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: DAEMON_OID, oid: DAEMON_OID, tid: TENANT, azp: CALLER_APP, idtyp: 'app', roles: ['Orders.ReadWrite'], uti: 'AbCdEfGhIjKlMnOpQrStUv' });
    expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(signatureBytes);
  });

  it('sends the vault only the SHA-256 digest of the signing input', async () => {
    const signing = fixture.signing();
    const token = await signing.assertions.issue(testPrincipal('user'), AUDIENCE);
    const digest = createHash('sha256').update(token.split('.').slice(0, 2).join('.')).digest('base64url');
    expect(fixture.standin.signed.at(-1)).toEqual({ version: versionsOf(fixture)[0], alg, digest });
  });
});

describe('the conversation with the vault', () => {
  let fixture: VaultFixture;
  beforeAll(async () => {
    fixture = await startVaultFixture({ pageSize: 2 });
  });
  afterAll(() => fixture.stop());

  it("answers the vault's bearer challenge with the credential's token", async () => {
    const signing = fixture.signing();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);

    const [first, ...rest] = fixture.standin.requests;
    expect(first).toMatchObject({ status: 401, authorization: undefined });
    expect(rest.length).toBeGreaterThan(0);
    for (const request of rest.filter((r) => r.status !== 401)) expect(request.authorization).toBe(`Bearer ${fixture.credential.token}`);
    expect(fixture.credential.requests).toContainEqual({ scopes: ['https://vault.azure.net/.default'], tenantId: DEFAULT_TENANT });
  });

  it('answers the challenge once per client, not again after the key set is reloaded', async () => {
    const signing = fixture.signing();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    const challenges = () => fixture.standin.requests.filter((request) => request.status === 401).length;
    const before = challenges();
    fixture.clock.now += 6 * MINUTE;
    await signing.keys.refresh();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    expect(challenges()).toBe(before);
  });

  it('reads every version through nextLink paging', async () => {
    for (let i = 0; i < 4; i++) {
      fixture.clock.now += MINUTE;
      await fixture.standin.rotateKey(KEY_NAME);
    }
    const { jwks } = await keySet(fixture.signing());
    expect(jwks.keys.map((key) => key.kid)).toEqual(versionsOf(fixture).reverse());
    expect(fixture.standin.requests.some((request) => request.operation === 'list' && request.url.includes('$skiptoken='))).toBe(true);
  });
});

describe('rotation', () => {
  let fixture: VaultFixture;
  beforeEach(async () => {
    fixture = await startVaultFixture();
  });
  afterEach(() => fixture.stop());

  it('publishes a new version beside the old one, and signs with it once every instance can have it', async () => {
    const signing = fixture.signing({ keyVault: { activationDelayMs: 5 * MINUTE } });
    const issued: [string, number][] = [];
    const issue = async () => {
      const token = await signing.assertions.issue(testPrincipal(), AUDIENCE);
      issued.push([token, fixture.clock.now]);
      return token;
    };
    await issue();
    const [v1] = versionsOf(fixture);

    fixture.clock.now += MINUTE;
    const v2 = (await fixture.standin.rotateKey(KEY_NAME)).version;
    await signing.keys.refresh();
    const { jwks } = await keySet(signing);
    expect(jwks.keys.map((key) => key.kid)).toEqual([v2, v1]);
    // Just published: some instance or verifier may not have it yet, so the old version still signs.
    const during = await issue();
    expect(decodeProtectedHeader(during).kid).toBe(v1);

    fixture.clock.now += 5 * MINUTE;
    const after = await issue();
    expect(decodeProtectedHeader(after).kid).toBe(v2);
    // The key set then published verifies all of them, each within its lifetime.
    for (const [token, at] of issued) await expect(verifyWith(jwks, token, at)).resolves.toBeDefined();
  });

  it('takes a rotation on the default schedule: reloaded after five minutes, no restart', async () => {
    const signing = fixture.signing();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    fixture.clock.now += MINUTE;
    const v2 = (await fixture.standin.rotateKey(KEY_NAME)).version;

    fixture.clock.now += 5 * MINUTE;
    await keySet(signing); // expired: served stale while the reload runs
    await signing.keys.refresh(); // joins that reload
    expect((await keySet(signing)).jwks.keys[0]?.kid).toBe(v2);
    expect(fixture.events.refreshed.at(-1)).toMatchObject({ kids: [v2, versionsOf(fixture)[0]], reason: 'expired' });
  });

  it('drops a disabled version from the key set, and its assertions stop verifying', async () => {
    const signing = fixture.signing({ keyVault: { activationDelayMs: 0 } });
    const [v1] = versionsOf(fixture);
    const old = await signing.assertions.issue(testPrincipal(), AUDIENCE);
    fixture.clock.now += MINUTE;
    const v2 = (await fixture.standin.rotateKey(KEY_NAME)).version;

    // Disabled through the real SDK, as an operator would.
    const admin = new KeyClient(fixture.standin.url, fixture.credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: fixture.tls.caCertPem } });
    await admin.updateKeyProperties(KEY_NAME, v1!, { enabled: false });
    fixture.clock.now += MINUTE;
    await signing.keys.refresh();

    const { jwks } = await keySet(signing);
    expect(jwks.keys.map((key) => key.kid)).toEqual([v2]);
    expect(await rejectionOf(verifyWith(jwks, old, fixture.clock.now))).toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    const fresh = await signing.assertions.issue(testPrincipal(), AUDIENCE);
    expect(decodeProtectedHeader(fresh).kid).toBe(v2);
    await expect(verifyWith(jwks, fresh, fixture.clock.now)).resolves.toBeDefined();
  });

  it('publishes neither a version not active yet nor an expired one', async () => {
    const [v1] = versionsOf(fixture);
    await fixture.standin.createKey(KEY_NAME, { kty: 'EC', crv: 'P-256' }, { notBefore: new Date(fixture.clock.now + 24 * 60 * MINUTE) });
    await fixture.standin.createKey(KEY_NAME, { kty: 'EC', crv: 'P-256' }, { expiresOn: new Date(fixture.clock.now - MINUTE) });
    const { jwks } = await keySet(fixture.signing());
    expect(jwks.keys.map((key) => key.kid)).toEqual([v1]);
  });

  it('after the vault refuses a version disabled since the last load, reloads and signs with the next', async () => {
    fixture.clock.now += MINUTE;
    const v2 = (await fixture.standin.rotateKey(KEY_NAME)).version;
    const [v1] = versionsOf(fixture);
    const signing = fixture.signing({ keyVault: { activationDelayMs: 0 } });
    expect(decodeProtectedHeader(await signing.assertions.issue(testPrincipal(), AUDIENCE)).kid).toBe(v2);

    fixture.standin.updateKey(KEY_NAME, v2, { enabled: false });
    fixture.clock.now += MINUTE;
    expect(await rejectionOf(signing.assertions.issue(testPrincipal(), AUDIENCE))).toMatchObject({ code: 'signing_unavailable', reason: 'vault_denied' });
    await signing.keys.refresh();
    expect(decodeProtectedHeader(await signing.assertions.issue(testPrincipal(), AUDIENCE)).kid).toBe(v1);
  });
});

describe('keys that cannot sign assertions', () => {
  it('refuses a key on another curve at startup, naming SIGNING_KEY_NAME, and publishes nothing', async () => {
    const fixture = await startVaultFixture({ key: { kty: 'EC', crv: 'P-384' } });
    try {
      const signing = fixture.signing();
      const refused = await rejectionOf(signing.ready());
      expect(refused).toBeInstanceOf(SettingsError);
      expect(refused).toMatchObject({ setting: 'SIGNING_KEY_NAME', message: expect.stringContaining('only P-256 (ES256) is supported') });
      expect((await keySet(signing)).jwks).toEqual({ keys: [] });
      expect(await rejectionOf(signing.assertions.issue(testPrincipal(), AUDIENCE))).toMatchObject({ reason: 'no_usable_key_version' });
      expect(fixture.events.failures).toContainEqual(expect.objectContaining({ operation: 'keys', code: 'key_unsupported' }));
    } finally {
      await fixture.stop();
    }
  });

  it('refuses a key name the vault does not have at startup', async () => {
    const fixture = await startVaultFixture();
    try {
      const refused = await rejectionOf(fixture.signing({ settings: { SIGNING_KEY_NAME: 'no-such-key' } }).ready());
      expect(refused).toBeInstanceOf(SettingsError);
      expect(refused).toMatchObject({ setting: 'SIGNING_KEY_NAME', message: expect.stringContaining('does not exist') });
    } finally {
      await fixture.stop();
    }
  });

  it('accepts an RSA or P-256 key at startup', async () => {
    const fixture = await startVaultFixture({ key: { kty: 'RSA', keySize: 3072 } });
    try {
      await expect(fixture.signing().ready()).resolves.toBeUndefined();
    } finally {
      await fixture.stop();
    }
  });
});

describe('a throttled or unreachable vault', () => {
  let fixture: VaultFixture;
  beforeEach(async () => {
    fixture = await startVaultFixture();
  });
  afterEach(() => fixture.stop());

  it("throttled: fails at once with the vault's Retry-After instead of waiting it out", async () => {
    const signing = fixture.signing();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    fixture.standin.setFault({ kind: 'status', status: 429, retryAfter: '17', operations: ['sign'] });
    const signsBefore = fixture.standin.requests.filter((request) => request.operation === 'sign').length;

    const refused = await rejectionOf(signing.assertions.issue(testPrincipal(), AUDIENCE));
    expect(refused).toBeInstanceOf(SigningUnavailableError);
    expect(refused).toMatchObject({ reason: 'vault_throttled', retryAfterSeconds: 17 });
    expect(fixture.standin.requests.filter((request) => request.operation === 'sign').length - signsBefore).toBe(1);
    expect(fixture.events.failures).toContainEqual(expect.objectContaining({ operation: 'sign', code: 'vault_throttled', status: 429, retryAfterSeconds: 17 }));
    // Reading the published keys does not touch the vault while they are fresh.
    expect((await keySet(signing)).status).toBe(200);
  });

  it('5xx after the bounded retries: unavailable, with the Retry-After the vault sent', async () => {
    const signing = fixture.signing();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    fixture.standin.setFault({ kind: 'status', status: 503, retryAfter: '1', operations: ['sign'] });
    expect(await rejectionOf(signing.assertions.issue(testPrincipal(), AUDIENCE))).toMatchObject({ reason: 'vault_unavailable', retryAfterSeconds: 1 });
    // First attempt plus one retry (FAST_LIMITS.maxRetries), no more.
    expect(fixture.standin.requests.filter((request) => request.operation === 'sign' && request.status === 503)).toHaveLength(2);
  });

  it('a vault that never answers costs at most the deadline', async () => {
    const signing = fixture.signing({ keyVault: { timeoutMs: 300 } });
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    fixture.standin.setFault({ kind: 'hang', operations: ['sign'] });
    expect(await rejectionOf(signing.assertions.issue(testPrincipal(), AUDIENCE))).toMatchObject({ reason: 'vault_timeout' });
  });

  it('stopped: assertions are refused with Retry-After while the published keys are served stale', async () => {
    const signing = fixture.signing();
    await signing.assertions.issue(testPrincipal(), AUDIENCE);
    const published = (await keySet(signing)).jwks;
    await fixture.standin.stop();

    const refused = await rejectionOf(signing.assertions.issue(testPrincipal(), AUDIENCE));
    expect(refused).toMatchObject({ code: 'signing_unavailable', reason: 'vault_unavailable' });
    expect((refused as SigningUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(1);

    fixture.clock.now += 6 * MINUTE;
    await keySet(signing);
    await signing.keys.refresh();
    const stale = await keySet(signing);
    expect(stale.status).toBe(200);
    expect(stale.jwks).toEqual(published);
    expect(fixture.events.failures).toContainEqual(expect.objectContaining({ operation: 'keys', code: 'vault_unavailable', served: 'stale' }));
  });

  it('a vault that does not answer at startup does not hold up the start', async () => {
    fixture.standin.setFault({ kind: 'hang', operations: ['list'] });
    const signing = fixture.signing({ keyVault: { startupDeadlineMs: 200, timeoutMs: 2_000 } });
    await expect(signing.ready()).resolves.toBeUndefined();
  });

  it('down at startup: the app still starts; the key set answers 503 with Retry-After', async () => {
    await fixture.standin.stop();
    const signing = fixture.signing();
    await expect(signing.ready()).resolves.toBeUndefined();
    const result = await invokeHttp(signing.jwks, { path: '.well-known/jwks.json', route: '.well-known/jwks.json' });
    expect(result.status).toBe(503);
    expect(result.body).toMatchObject({ code: 'signing_keys_unavailable' });
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(fixture.events.failures).toContainEqual(expect.objectContaining({ operation: 'keys', code: 'vault_unavailable', served: 'none' }));
  });
});
