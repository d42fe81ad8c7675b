import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describePublicKey } from '../../lib/signing/publicKeys';
import { assertionClaims, createAssertionIssuer } from '../../lib/signing/identityAssertion';
import type { ActiveSigningKey, SigningKeySource } from '../../lib/signing/signingKey';
import { CALLER_APP, TENANT, USER_OID } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { rejectionOf } from '../../packages/azure-functions-entra-auth/test/support/hostileTokens';
import { DAEMON_OID, testPrincipal } from './support/principals';
import { RecordingSigningEvents } from './support/recordingSigningEvents';

const CONTEXT = { issuer: 'https://orders-api.example.net', audience: 'https://fulfilment.example.net', issuedAt: 1_800_000_000, lifetimeSeconds: 120, jti: 'j-1' };

describe('assertion claims', () => {
  it('carry a daemon as verified: object ID, tenant, calling app, roles and the token uti', () => {
    expect(assertionClaims(testPrincipal('app'), CONTEXT)).toEqual({
      iss: CONTEXT.issuer,
      aud: CONTEXT.audience,
      sub: DAEMON_OID,
      iat: 1_800_000_000,
      nbf: 1_800_000_000,
      exp: 1_800_000_120,
      jti: 'j-1',
      oid: DAEMON_OID,
      tid: TENANT,
      azp: CALLER_APP,
      idtyp: 'app',
      roles: ['Orders.ReadWrite'],
      uti: 'AbCdEfGhIjKlMnOpQrStUv',
      authority: 'default',
    });
  });

  it('name the authority and, for a B2C caller, the user flow that verified the caller', () => {
    const claims = assertionClaims({ ...testPrincipal('user'), authority: 'legacyCustomers', authorityKind: 'b2c', userFlow: 'B2C_1_signupsignin' }, CONTEXT);
    expect(claims).toMatchObject({ authority: 'legacyCustomers', user_flow: 'B2C_1_signupsignin' });
  });

  it('carry a signed-in user with delegated scopes, space-separated as in Entra tokens', () => {
    const claims = assertionClaims(testPrincipal('user'), CONTEXT);
    expect(claims).toMatchObject({ sub: USER_OID, oid: USER_OID, idtyp: 'user', scp: 'User.Read Orders.ReadWrite' });
    expect(claims).not.toHaveProperty('roles');
  });
});

/** A key source whose "vault" signs however the test says, given the matching private key. */
function sourceSigningWith(signer: (input: Buffer, privateKey: KeyObject) => Buffer): SigningKeySource {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const described = describePublicKey('v1', createPublicKey(privateKey));
  if (!described.ok) throw new Error(described.reason);
  const key: ActiveSigningKey = { ...described.key, sign: (input) => Promise.resolve(signer(input, privateKey)) };
  return {
    description: 'test key',
    publishedKeys: () => Promise.resolve([described.key]),
    signingKey: () => Promise.resolve(key),
    ready: () => Promise.resolve(),
    isLoaded: () => true,
    refresh: () => Promise.resolve(),
  };
}

describe('signatures from the signer', () => {
  it('are refused when an ES256 signature comes back DER-encoded instead of raw r||s', async () => {
    const events = new RecordingSigningEvents();
    const der = sourceSigningWith((input, privateKey) => sign('sha256', input, privateKey));
    const issuer = createAssertionIssuer({ issuer: CONTEXT.issuer, lifetimeSeconds: 120, keys: der, now: Date.now, events });
    expect(await rejectionOf(issuer.issue(testPrincipal(), CONTEXT.audience))).toMatchObject({ code: 'signing_unavailable', reason: 'signature_invalid' });
    expect(events.failures).toEqual([expect.objectContaining({ operation: 'sign', code: 'signature_invalid', message: expect.stringContaining('64-byte r||s') })]);
  });

  it('are refused when they do not verify with the published key', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const source = sourceSigningWith((input) => sign('sha256', input, { key: other, dsaEncoding: 'ieee-p1363' }));
    const issuer = createAssertionIssuer({ issuer: CONTEXT.issuer, lifetimeSeconds: 120, keys: source, now: Date.now, events: {} });
    expect(await rejectionOf(issuer.issue(testPrincipal(), CONTEXT.audience))).toMatchObject({ reason: 'signature_invalid' });
  });

  it('are accepted in raw r||s form', async () => {
    const source = sourceSigningWith((input, privateKey) => sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    const issuer = createAssertionIssuer({ issuer: CONTEXT.issuer, lifetimeSeconds: 120, keys: source, now: Date.now, events: {} });
    expect((await issuer.issue(testPrincipal(), CONTEXT.audience)).split('.')).toHaveLength(3);
  });
});

describe('keys that may sign assertions', () => {
  it.each<[string, () => KeyObject, string | RegExp]>([
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, 'RS256'],
    ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, 'ES256'],
    ['RSA 1024', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, /too small/],
    ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, /only P-256/],
    ['Ed25519', () => generateKeyPairSync('ed25519').publicKey, /ed25519 key cannot sign assertions/],
  ])('%s', (_name, make, expected) => {
    const described = describePublicKey('v1', make());
    if (typeof expected === 'string') expect(described).toMatchObject({ ok: true, key: { alg: expected, jwk: { alg: expected, kid: 'v1', use: 'sig' } } });
    else expect(described).toMatchObject({ ok: false, reason: expect.stringMatching(expected) });
  });
});
