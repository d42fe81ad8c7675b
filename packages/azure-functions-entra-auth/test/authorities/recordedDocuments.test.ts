import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAuthorityRoutes, b2cDiscoveryUrl, b2cIssuer, type KeySource } from '../../src/authorities/authorityRoutes';
import { createAuthorityVerifier, keyStoreForSource, resolveKeySource } from '../../src/authorities/createAuthorityVerifier';
import { parseB2cMetadata } from '../../src/authorities/b2cVerification';
import { parseSigningKeySet } from '../../src/entra/signingKeys';
import { ClaimInvalidError, KeysUnavailableError, NotAccessTokenError, SignatureInvalidError, TokenExpiredError } from '../../src/errors/authErrors';
import { decodeCompactJwt } from '../../src/jwt/decodeCompactJwt';
import { fetchJson } from '../../src/net/fetchJson';
import { loadAuthSettings, type AuthSettings } from '../../src/settings/authSettings';
import { verifySignature } from '../../src/verify/createAccessTokenVerifier';
import { createVerificationContext } from '../../src/verify/verificationSteps';
import { FakeAuthorities } from '../support/fakeAuthorities';

/**
 * Issue 22 item 4: the B2C issuer and discovery forms, the B2C parsing and the key-set
 * parsing, against what real B2C tenants served, as recorded in public repositories
 * (test/fixtures/recorded/b2c/SOURCE.md names each source, commit and licence), not only
 * against the project's own fake. Documents are served at their public URLs over real
 * HTTP on 127.0.0.1 (FakeAuthorities); keys and tokens go through the package's key-set
 * parser, signature check and verification steps at an injected clock inside the recorded
 * token's lifetime. No recorded External ID document could be found
 * (test/fixtures/recorded/externalId/SOURCE.md), so nothing here covers External ID.
 */

const RECORDED = path.join(__dirname, '../fixtures/recorded/b2c');
const readRecorded = (name: string): string => readFileSync(path.join(RECORDED, name), 'utf8');

/** A custom policy's discovery document, `?p=` form, tenant aarhuskommunetest (itk-dev/naevnssekretariatet). */
const AARHUS = {
  tenantName: 'aarhuskommunetest',
  tenantId: '8719d819-a3ee-4a5a-a776-d1911eaaa5ed',
  host: 'aarhuskommunetest.b2clogin.com',
  userFlow: 'B2C_1A_NAAG_MKBTEST2',
  document: JSON.parse(readRecorded('aarhuskommunetest.b2c_1a_naag_mkbtest2.openid-configuration.json')) as Record<string, unknown>,
};

/** Microsoft's demo tenant: one signing key of its b2c_1_susi key set and an access token it signed (gregorwolf/cap-azure-ad-b2c). */
const FABRIKAM = {
  tenantName: 'fabrikamb2c',
  tenantId: '775527ff-9a37-4307-8b3d-cc311f58d925',
  host: 'fabrikamb2c.b2clogin.com',
  userFlow: 'b2c_1_susi',
  /** The token's aud: the demo API's client ID. */
  clientId: '93733604-cc77-4a3c-a604-87084dd55348',
  keySetUrl: 'https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/b2c_1_susi/discovery/v2.0/keys',
  key: JSON.parse(readRecorded('fabrikamb2c.b2c_1_susi.signing-key.json')) as Record<string, unknown>,
  token: readRecorded('fabrikamb2c.access-token.jwt').trim(),
};

/**
 * A B2C ID token of 2016, from B2C's former host login.microsoftonline.com (retired in 2020 for
 * {tenant}.b2clogin.com), naming its user flow in acr, and the key that signed it (AzureAD/passport-azure-ad).
 */
const LEGACY = {
  tenantId: '22bf40c6-1186-4ea5-b49b-3dc4ec0f54eb',
  host: 'login.microsoftonline.com',
  userFlow: 'B2C_1_signin',
  clientId: 'f0b6e4eb-2d8c-40b6-b9c6-e26d1074846d',
  keyPem: readRecorded('login.microsoftonline.com-22bf40c6.signing-key.pem'),
  idToken: readRecorded('login.microsoftonline.com-22bf40c6.b2c_1_signin.id-token.jwt').trim(),
  /** Inside its lifetime: iat 1475795212, exp 1475798812 (2016-10-06). */
  insideLifetimeMs: (1_475_795_212 + 600) * 1000,
};

/** The recorded token's lifetime (iat = nbf = 1586102244, exp = 1586105844: 2020-04-05, one hour). */
const ISSUED_AT = 1_586_102_244;
const EXPIRES_AT = 1_586_105_844;
const INSIDE_LIFETIME_MS = (ISSUED_AT + 600) * 1000;

function settingsFor(...authorities: readonly Record<string, unknown>[]): AuthSettings {
  return loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(authorities) });
}

const aarhusAuthority = (tenantId = AARHUS.tenantId) => ({
  name: 'aarhus',
  kind: 'b2c',
  tenantId,
  tenantName: AARHUS.tenantName,
  clientId: '0f0e0d0c-0b0a-4908-8706-050403020100',
  userFlows: [AARHUS.userFlow],
});

const fabrikamAuthority = {
  name: 'fabrikam',
  kind: 'b2c',
  tenantId: FABRIKAM.tenantId,
  tenantName: FABRIKAM.tenantName,
  clientId: FABRIKAM.clientId,
  userFlows: [FABRIKAM.userFlow],
};

/** The one key source of a settings object with one B2C authority of one user flow. */
function onlySource(settings: AuthSettings): KeySource {
  const { sources } = buildAuthorityRoutes(settings.authorities);
  expect(sources).toHaveLength(1);
  return sources[0] as KeySource;
}

/** What `run` throws (the test fails if it returns). */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal, but the check passed');
}

let authorities: FakeAuthorities;

beforeAll(async () => {
  authorities = await new FakeAuthorities().start();
});
afterAll(() => authorities.stop());
beforeEach(() => {
  authorities.requests.length = 0;
});

describe('a recorded B2C discovery document (aarhuskommunetest, custom policy b2c_1a_naag_mkbtest2)', () => {
  it('names exactly the issuer b2cIssuer computes for its tenant: the B2C host, the tenant GUID, v2.0 and a trailing slash', () => {
    expect(AARHUS.document.issuer).toBe(b2cIssuer({ host: AARHUS.host, tenantId: AARHUS.tenantId }));
  });

  it('is accepted by parseB2cMetadata for its tenant, with the issuer and key-set URL B2C published', () => {
    const issuer = b2cIssuer({ host: AARHUS.host, tenantId: AARHUS.tenantId });
    expect(parseB2cMetadata(AARHUS.document, issuer, `https://${AARHUS.host}`)).toEqual({
      issuer: 'https://aarhuskommunetest.b2clogin.com/8719d819-a3ee-4a5a-a776-d1911eaaa5ed/v2.0/',
      // The ?p= form: a key-set URL with a query is B2C's own shape, and accepted.
      jwksUri: 'https://aarhuskommunetest.b2clogin.com/aarhuskommunetest.onmicrosoft.com/discovery/v2.0/keys?p=b2c_1a_naag_mkbtest2',
    });
  });

  it('is refused for another tenant on the same host, for the issuer without its trailing slash, and as served for another host', () => {
    const otherTenant = b2cIssuer({ host: AARHUS.host, tenantId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3' });
    expect(() => parseB2cMetadata(AARHUS.document, otherTenant, `https://${AARHUS.host}`)).toThrow(/issuer is not https:\/\/aarhuskommunetest\.b2clogin\.com\/0a1b2c3d/);
    const issuer = b2cIssuer({ host: AARHUS.host, tenantId: AARHUS.tenantId });
    expect(() => parseB2cMetadata(AARHUS.document, issuer.slice(0, -1), `https://${AARHUS.host}`)).toThrow(/issuer is not/);
    // A custom domain's authority must be served its document from the custom domain.
    expect(() => parseB2cMetadata(AARHUS.document, issuer, 'https://login.aarhus.example')).toThrow(
      /jwks_uri is served from https:\/\/aarhuskommunetest\.b2clogin\.com, not from the authority https:\/\/login\.aarhus\.example/,
    );
  });

  it('spells the policy in lower case in its URLs, as the discovery URL the routes compute does', () => {
    expect(new URL(AARHUS.document.jwks_uri as string).searchParams.get('p')).toBe('b2c_1a_naag_mkbtest2');
    expect(b2cDiscoveryUrl({ host: AARHUS.host, tenantName: AARHUS.tenantName, discoveryBase: undefined }, AARHUS.userFlow)).toBe(
      'https://aarhuskommunetest.b2clogin.com/aarhuskommunetest.onmicrosoft.com/b2c_1a_naag_mkbtest2/v2.0/.well-known/openid-configuration',
    );
  });

  it("over HTTP, the user flow's key store fetches it from the computed discovery URL and holds it to the computed issuer", async () => {
    const source = onlySource(settingsFor(aarhusAuthority()));
    expect(source.expectedIssuer).toBe(AARHUS.document.issuer);
    // B2C serves a user flow's document at the path form (what the package asks for) and at the ?p= form (this record's).
    authorities.serve(source.discoveryUrl as string, AARHUS.document);
    const store = keyStoreForSource(source, { fetch: authorities.fetch, now: () => INSIDE_LIFETIME_MS });
    await expect(store.metadata('1.0')).resolves.toEqual({ issuer: AARHUS.document.issuer, jwksUri: AARHUS.document.jwks_uri });
    expect(authorities.requests).toEqual([source.discoveryUrl]);
  });

  it('over HTTP, the key store of an authority configured with another tenant ID refuses it: no key set is fetched', async () => {
    const source = onlySource(settingsFor(aarhusAuthority('0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3')));
    authorities.serve(source.discoveryUrl as string, AARHUS.document);
    const store = keyStoreForSource(source, { fetch: authorities.fetch, now: () => INSIDE_LIFETIME_MS });
    const refused = store.metadata('1.0');
    await expect(refused).rejects.toBeInstanceOf(KeysUnavailableError);
    await expect(refused).rejects.toMatchObject({ check: 'openid.invalid', message: expect.stringMatching(/issuer is not/) as unknown });
    expect(authorities.requests).toEqual([source.discoveryUrl]);
  });

  it('routes a token carrying its issuer to the authority of that tenant, and only the exact string', () => {
    const routes = buildAuthorityRoutes(settingsFor(aarhusAuthority()).authorities);
    expect(routes.find(AARHUS.document.issuer as string, undefined)?.authority.name).toBe('aarhus');
    expect(routes.find((AARHUS.document.issuer as string).slice(0, -1), undefined)).toBeUndefined();
  });
});

describe('a recorded B2C signing key and an access token it signed (fabrikamb2c)', () => {
  const decoded = decodeCompactJwt(FABRIKAM.token);

  it("the token's issuer is exactly the one b2cIssuer computes for fabrikamb2c, and routes to that authority", () => {
    expect(decoded.payload.iss).toBe(b2cIssuer({ host: FABRIKAM.host, tenantId: FABRIKAM.tenantId }));
    const routes = buildAuthorityRoutes(settingsFor(fabrikamAuthority).authorities);
    expect(routes.find(decoded.payload.iss as string, decoded.payload.tid)?.authority.name).toBe('fabrikam');
  });

  it('the token is a B2C access token as the package expects one: ver 1.0, no tid, the caller in azp, signed RS256 with the recorded kid', () => {
    expect(decoded.header).toEqual({ typ: 'JWT', alg: 'RS256', kid: FABRIKAM.key.kid });
    expect(decoded.payload).toMatchObject({ ver: '1.0', aud: FABRIKAM.clientId, scp: 'demo.read', azp: 'e760cab2-b9a1-4c0d-86fb-ff7084abd902', iat: ISSUED_AT, nbf: ISSUED_AT, exp: EXPIRES_AT });
    expect(decoded.payload).not.toHaveProperty('tid');
  });

  it("over HTTP from its recorded URL, the key set loads into the package's key-set parser: one RSA key, 2048 bits, usable", async () => {
    authorities.serve(FABRIKAM.keySetUrl, { keys: [FABRIKAM.key] });
    const body = await fetchJson(FABRIKAM.keySetUrl, { fetch: authorities.fetch, timeoutMs: 5_000, maxBytes: 256 * 1024 });
    const keys = await parseSigningKeySet(body);
    expect([...keys.keys()]).toEqual(['X5eXk4xyojNFum1kl2Ytv8dlNP4-c57dO6QGTVBwaNk']);
    const key = keys.get(FABRIKAM.key.kid as string);
    expect(key?.key.asymmetricKeyType).toBe('rsa');
    expect(key?.key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // B2C key sets name no issuer per key (Entra's v2 sets do).
    expect(key?.issuer).toBeUndefined();
    expect(authorities.requests).toEqual([FABRIKAM.keySetUrl]);
  });

  it('the signature verifies with the recorded key, and fails once one byte of it changes', async () => {
    const key = (await parseSigningKeySet({ keys: [FABRIKAM.key] })).get(FABRIKAM.key.kid as string);
    if (!key) throw new Error('recorded key not loaded');
    expect(() => {
      verifySignature(FABRIKAM.token, key.key);
    }).not.toThrow();

    const dot = FABRIKAM.token.lastIndexOf('.');
    const signature = Buffer.from(FABRIKAM.token.slice(dot + 1), 'base64url');
    signature[100] = (signature[100] as number) ^ 0x01;
    const tampered = `${FABRIKAM.token.slice(0, dot + 1)}${signature.toString('base64url')}`;
    expect(() => {
      verifySignature(tampered, key.key);
    }).toThrow(SignatureInvalidError);
  });

  /** The steps the b2c_1_susi key source runs, and the settings it runs them with (the recording names that user flow's key set). */
  function b2cSusiSteps() {
    // The token names no user flow, so the source is looked up as if it named b2c_1_susi; the steps then read the token as it is.
    const resolved = resolveKeySource(settingsFor(fabrikamAuthority), { ...decoded.payload, tfp: FABRIKAM.userFlow });
    if ('problem' in resolved) throw new Error(resolved.problem);
    return resolved;
  }

  it('with the clock inside its lifetime, every B2C check before the user-flow check passes; that check refuses it: it names no user flow', () => {
    const { settings, steps } = b2cSusiSteps();
    const context = createVerificationContext(FABRIKAM.token, { settings, nowSeconds: INSIDE_LIFETIME_MS / 1000 });
    const userFlowStep = steps.findIndex((candidate) => candidate.name === 'tenant');
    expect(steps.slice(0, userFlowStep).map((candidate) => candidate.name)).toEqual(['jose_header', 'claim_shapes', 'token_version', 'audience', 'lifetime']);
    for (const passing of steps.slice(0, userFlowStep)) expect(() => passing.run(context)).not.toThrow();
    const refusal = thrownBy(() => steps[userFlowStep]?.run(context));
    expect(refusal).toBeInstanceOf(ClaimInvalidError);
    expect(refusal).toMatchObject({ claim: 'tfp', reason: 'missing' });
  });

  it('with the clock past its exp (and the skew), the lifetime check refuses it', () => {
    const { settings, steps } = b2cSusiSteps();
    const context = createVerificationContext(FABRIKAM.token, { settings, nowSeconds: EXPIRES_AT + settings.clockSkewSeconds });
    const lifetime = steps.findIndex((candidate) => candidate.name === 'lifetime');
    // These steps need no key: each settles synchronously.
    for (const passing of steps.slice(0, lifetime)) expect(passing.run(context)).toBeUndefined();
    expect(() => steps[lifetime]?.run(context)).toThrow(TokenExpiredError);
  });

  it('the verifier refuses it as it routes it, before any fetch: a B2C token must name its user flow (tfp or acr) to be given a key set', async () => {
    const verifier = createAuthorityVerifier(settingsFor(fabrikamAuthority), { fetch: authorities.fetch, now: () => INSIDE_LIFETIME_MS });
    const refused = verifier.verify(FABRIKAM.token);
    await expect(refused).rejects.toBeInstanceOf(ClaimInvalidError);
    await expect(refused).rejects.toMatchObject({ claim: 'tfp', reason: 'missing', check: 'claims.tfp' });
    expect(authorities.requests).toEqual([]);
  });
});

describe('a recorded B2C ID token that names its user flow in acr, and its signing key (B2C on login.microsoftonline.com, 2016)', () => {
  const decoded = decodeCompactJwt(LEGACY.idToken);
  const legacyAuthority = {
    name: 'legacy',
    kind: 'b2c',
    tenantId: LEGACY.tenantId,
    tenantName: 'legacyb2c',
    customDomain: LEGACY.host,
    clientId: LEGACY.clientId,
    userFlows: [LEGACY.userFlow],
  };

  it("its issuer has b2cIssuer's form for that host: the tenant GUID, v2.0 and a trailing slash, as on b2clogin.com today", () => {
    expect(decoded.payload.iss).toBe(b2cIssuer({ host: LEGACY.host, tenantId: LEGACY.tenantId }));
    expect(decoded.payload).toMatchObject({ ver: '1.0', acr: 'b2c_1_signin', aud: LEGACY.clientId });
    expect(decoded.payload).not.toHaveProperty('tid');
  });

  it('its signature verifies with the recorded key (as a JWK, through the key-set parser), and fails once one byte of it changes', async () => {
    // Recorded as a PKCS#1 PEM; B2C publishes the same key as a JWK (n, e) under the token's kid.
    const jwk = { ...createPublicKey(LEGACY.keyPem).export({ format: 'jwk' }), kid: decoded.header.kid, use: 'sig' };
    const key = (await parseSigningKeySet({ keys: [jwk] })).get('IdTokenSigningKeyContainer.v2');
    if (!key) throw new Error('recorded key not loaded');
    expect(key.key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(() => {
      verifySignature(LEGACY.idToken, key.key);
    }).not.toThrow();
    const dot = LEGACY.idToken.lastIndexOf('.');
    const signature = Buffer.from(LEGACY.idToken.slice(dot + 1), 'base64url');
    signature[0] = (signature[0] as number) ^ 0x80;
    expect(() => {
      verifySignature(`${LEGACY.idToken.slice(0, dot + 1)}${signature.toString('base64url')}`, key.key);
    }).toThrow(SignatureInvalidError);
  });

  it("the verifier routes it by its acr to the configured user flow (the name's case aside), whose access-token check then refuses it: an ID token, no fetch", async () => {
    const routes = buildAuthorityRoutes(settingsFor(legacyAuthority).authorities);
    expect(routes.find(decoded.payload.iss as string, undefined)?.authority.name).toBe('legacy');
    const verifier = createAuthorityVerifier(settingsFor(legacyAuthority), { fetch: authorities.fetch, now: () => LEGACY.insideLifetimeMs });
    const refused = verifier.verify(LEGACY.idToken);
    await expect(refused).rejects.toBeInstanceOf(NotAccessTokenError);
    await expect(refused).rejects.toMatchObject({ check: 'claims.azp' });
    expect(authorities.requests).toEqual([]);
  });

  it("another user flow's authority refuses it at routing: its acr names a user flow that authority does not accept", async () => {
    const verifier = createAuthorityVerifier(settingsFor({ ...legacyAuthority, userFlows: ['B2C_1_signup'] }), { fetch: authorities.fetch, now: () => LEGACY.insideLifetimeMs });
    await expect(verifier.verify(LEGACY.idToken)).rejects.toMatchObject({ code: 'issuer_mismatch', check: 'claims.acr' });
    expect(authorities.requests).toEqual([]);
  });
});
