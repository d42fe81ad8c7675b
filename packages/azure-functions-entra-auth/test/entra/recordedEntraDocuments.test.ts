import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TokenVersion } from '../../src/settings/authSettings';
import { parseOpenIdMetadata } from '../../src/entra/openIdMetadata';
import { parseSigningKeySet } from '../../src/entra/signingKeys';

/**
 * The metadata and key-set parsers over discovery documents and key sets Entra really
 * served, recorded in public repositories (test/fixtures/entra/README.md names each
 * source), so the parsers' beliefs are checked against Entra, not only against the
 * project's own fake.
 */
const INSTANCE = 'https://login.microsoftonline.com';
const MICROSOFT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const RECORDED_V1_TENANT = 'f24341ef-7a6f-4cff-abb7-99a11ab11127';
/** The tenant Microsoft personal accounts (MSA) sign for. */
const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

interface RecordedJwk {
  readonly kty: string;
  readonly use?: string;
  readonly alg?: string;
  readonly kid: string;
  readonly x5t?: string;
  readonly n: string;
  readonly e: string;
  readonly x5c?: readonly string[];
  readonly issuer?: string;
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '../fixtures/entra', name), 'utf8')) as Record<string, unknown>;
}

function keySet(name: string): { keys: RecordedJwk[] } {
  return fixture(`${name}.keys.json`) as unknown as { keys: RecordedJwk[] };
}

const DISCOVERY: readonly { file: string; tenant: string; version: TokenVersion; issuer: string; jwksUri: string }[] = [
  { file: 'v2-organizations', tenant: 'organizations', version: '2.0', issuer: `${INSTANCE}/{tenantid}/v2.0`, jwksUri: `${INSTANCE}/organizations/discovery/v2.0/keys` },
  { file: 'v2-common', tenant: 'common', version: '2.0', issuer: `${INSTANCE}/{tenantid}/v2.0`, jwksUri: `${INSTANCE}/common/discovery/v2.0/keys` },
  { file: 'v2-tenant', tenant: MICROSOFT_TENANT, version: '2.0', issuer: `${INSTANCE}/${MICROSOFT_TENANT}/v2.0`, jwksUri: `${INSTANCE}/${MICROSOFT_TENANT}/discovery/v2.0/keys` },
  { file: 'v1-common', tenant: 'common', version: '1.0', issuer: 'https://sts.windows.net/{tenantid}/', jwksUri: `${INSTANCE}/common/discovery/keys` },
  // A tenant's v1 document points at the common key set, not a tenant-specific one.
  { file: 'v1-tenant', tenant: RECORDED_V1_TENANT, version: '1.0', issuer: `https://sts.windows.net/${RECORDED_V1_TENANT}/`, jwksUri: `${INSTANCE}/common/discovery/keys` },
];

const KEY_SETS = ['v2-organizations', 'v2-common', 'v1-common', 'v1-tenant'] as const;

describe('recorded Entra discovery documents', () => {
  it.each(DISCOVERY)('$file: parsed for tenant $tenant as v$version, with the issuer and key-set URL Entra published', ({ file, tenant, version, issuer, jwksUri }) => {
    const body = fixture(`${file}.openid-configuration.json`);
    expect(parseOpenIdMetadata(body, INSTANCE, tenant, version)).toEqual({ issuer, jwksUri });
    expect(body.issuer).toBe(issuer);
  });

  it.each(DISCOVERY)('$file: refused when read as the other token version', ({ file, tenant, version }) => {
    const other: TokenVersion = version === '2.0' ? '1.0' : '2.0';
    expect(() => parseOpenIdMetadata(fixture(`${file}.openid-configuration.json`), INSTANCE, tenant, other)).toThrow(/issuer is not of the v/);
  });

  it('a tenant document is refused for another tenant, and a multi-tenant one for a single tenant', () => {
    expect(() => parseOpenIdMetadata(fixture('v2-tenant.openid-configuration.json'), INSTANCE, RECORDED_V1_TENANT, '2.0')).toThrow(/issuer is not of the v2.0 form/);
    expect(() => parseOpenIdMetadata(fixture('v2-organizations.openid-configuration.json'), INSTANCE, MICROSOFT_TENANT, '2.0')).toThrow(/issuer is not of the v2.0 form/);
  });

  it('is refused from another authority: the key set must come from AUTH_INSTANCE', () => {
    expect(() => parseOpenIdMetadata(fixture('v2-tenant.openid-configuration.json'), 'https://login.microsoftonline.us', MICROSOFT_TENANT, '2.0')).toThrow(
      /jwks_uri is served from https:\/\/login\.microsoftonline\.com, not from the authority/,
    );
  });

  it('v2 documents publish only RS256 for ID tokens (the one alg the verifier accepts)', () => {
    for (const { file } of DISCOVERY) expect(fixture(`${file}.openid-configuration.json`).id_token_signing_alg_values_supported).toEqual(['RS256']);
  });
});

describe('recorded Entra key sets', () => {
  it.each(KEY_SETS)('%s: recorded intact: every key is its certificate public key, and its kid and x5t are the certificate thumbprint', (file) => {
    const { keys } = keySet(file);
    expect(keys.length).toBeGreaterThan(0);
    for (const jwk of keys) {
      const der = Buffer.from(jwk.x5c?.[0] ?? '', 'base64');
      const certificate = new X509Certificate(der);
      expect(certificate.publicKey.export({ format: 'jwk' })).toEqual({ kty: 'RSA', n: jwk.n, e: jwk.e });
      const thumbprint = createHash('sha1').update(der).digest('base64url');
      expect(jwk.x5t).toBe(thumbprint);
      expect(jwk.kid).toBe(thumbprint);
    }
  });

  it.each(KEY_SETS)('%s: every published key is usable (RSA, 2048 bits, e = AQAB, use sig, no alg member)', async (file) => {
    const { keys } = keySet(file);
    const parsed = await parseSigningKeySet({ keys });
    expect([...parsed.keys()]).toEqual(keys.map((key) => key.kid));
    for (const jwk of keys) {
      expect(jwk).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB' });
      expect(jwk.alg).toBeUndefined();
      expect(Buffer.from(jwk.n, 'base64url')).toHaveLength(256);
    }
  });

  it.each(['v1-common', 'v1-tenant'])('%s: v1 key sets carry no issuer, so a v1 token is held to the issuer the v2 key set names for its key', async (file) => {
    const { keys } = keySet(file);
    expect(keys.every((key) => !('issuer' in key))).toBe(true);
    for (const key of (await parseSigningKeySet({ keys })).values()) expect(key.issuer).toBeUndefined();
  });

  it('the organizations v2 key set names the {tenantid} issuer template on every key', async () => {
    const parsed = await parseSigningKeySet(fixture('v2-organizations.keys.json'));
    expect(new Set([...parsed.values()].map((key) => key.issuer))).toEqual(new Set([`${INSTANCE}/{tenantid}/v2.0`]));
  });

  it('the common v2 key set mixes Entra keys ({tenantid} template) with Microsoft-account keys bound to the consumers tenant', async () => {
    const parsed = await parseSigningKeySet(fixture('v2-common.keys.json'));
    const issuers = [...parsed.values()].map((key) => key.issuer);
    expect(new Set(issuers)).toEqual(new Set([`${INSTANCE}/{tenantid}/v2.0`, `${INSTANCE}/${CONSUMERS_TENANT}/v2.0`]));
    // So the key issuer must be checked: a consumer key must not sign for an organisation's tenant.
    expect(issuers.filter((issuer) => issuer?.includes(CONSUMERS_TENANT))).toHaveLength(3);
  });

  it('the organizations key set is the common one without the Microsoft-account keys (recorded at different times: 4 of its 5 Entra keys agree)', () => {
    const organizations = keySet('v2-organizations').keys.map((key) => key.kid);
    const common = keySet('v2-common').keys;
    const entraKeysInCommon = common.filter((key) => key.issuer === `${INSTANCE}/{tenantid}/v2.0`).map((key) => key.kid);
    expect(entraKeysInCommon.filter((kid) => organizations.includes(kid))).toHaveLength(4);
  });
});
