import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * The conformance corpus: real RSA keys, the tenant's v1 and v2 discovery documents and
 * key sets, the configurations both judges run, and tokens generated from field
 * variants (each alone on every base token, and in pairs), not a hand-written list.
 * Everything is relative to one fixed instant, NOW, that both judges are given.
 */

/** 2026-01-01T12:00:00Z: the instant both judges judge at (a real clock would disagree, which catches a judge ignoring it). */
export const NOW = 1_767_268_800;
export const SKEW_SECONDS = 300;
export const INSTANCE = 'https://login.microsoftonline.com';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** Allowed by the multi-tenant allow-list configuration. */
export const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
/** Not in any allow-list; also the tenant the foreign key is published for. */
export const THIRD_TENANT = '3c8e1d2a-5b7f-4e6a-9d0c-1f2e3a4b5c6d';
export const CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
export const APP_ID_URI = 'api://orders-api';
export const CALLER_APP = '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01';
export const OTHER_APP = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const USER_OID = '5b1b7f6e-4d8c-4a3e-9b1a-7c2d3e4f5a6b';
const APP_OID = 'a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d';

// ---------------------------------------------------------------------------------------------
// Keys and documents

export type KeyName = 'main' | 'foreign' | 'v2only' | 'weak' | 'unpublished';

export interface CorpusKey {
  readonly name: KeyName;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** In the v1 key sets (which name no issuer per key). */
  readonly inV1: boolean;
  /** In the v2 key sets, with this issuer (undefined: the document's own issuer). */
  readonly inV2: boolean;
  readonly v2Issuer?: string;
}

const KEY_SPECS: readonly { name: KeyName; kid: string; bits: number; inV1: boolean; inV2: boolean; v2Issuer?: string }[] = [
  { name: 'main', kid: 'main-key-2026', bits: 2048, inV1: true, inV2: true },
  // Published in every set like Entra's other keys, but for one other tenant's issuer (what signing-key issuer validation is for).
  { name: 'foreign', kid: 'foreign-issuer-key', bits: 2048, inV1: true, inV2: true, v2Issuer: `${INSTANCE}/${THIRD_TENANT}/v2.0` },
  // Published only in the v2 key sets (a rollover caught half-way).
  { name: 'v2only', kid: 'v2-only-key', bits: 2048, inV1: false, inV2: true },
  // A 1024-bit RSA key, published in both sets.
  { name: 'weak', kid: 'rsa1024-key', bits: 1024, inV1: true, inV2: true },
  // The attacker's key: never published.
  { name: 'unpublished', kid: 'unpublished-key', bits: 2048, inV1: false, inV2: false },
];

export type Keys = Readonly<Record<KeyName, CorpusKey>>;

export function createKeys(): Keys {
  const entries = KEY_SPECS.map((spec): [KeyName, CorpusKey] => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: spec.bits });
    return [spec.name, { ...spec, privateKey, publicKey }];
  });
  return Object.fromEntries(entries) as unknown as Keys;
}

/** The authority tenants whose documents are published: the home tenant, organizations and common. */
const AUTHORITY_TENANTS = [TENANT, 'organizations', 'common'] as const;

/**
 * Every metadata and key-set URL either judge may read, with its document, as Entra
 * serves them: v2 key sets name an issuer per key, v1 key sets do not.
 */
export function createDocuments(keys: Keys): Map<string, unknown> {
  const documents = new Map<string, unknown>();
  for (const tenant of AUTHORITY_TENANTS) {
    const issuerTenant = tenant === 'organizations' || tenant === 'common' ? '{tenantid}' : tenant;
    const v2Issuer = `${INSTANCE}/${issuerTenant}/v2.0`;
    const v1Issuer = `https://sts.windows.net/${issuerTenant}/`;
    const common = {
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      tenant_region_scope: 'WW',
      cloud_instance_name: 'microsoftonline.com',
    };
    documents.set(`${INSTANCE}/${tenant}/v2.0/.well-known/openid-configuration`, {
      token_endpoint: `${INSTANCE}/${tenant}/oauth2/v2.0/token`,
      jwks_uri: `${INSTANCE}/${tenant}/discovery/v2.0/keys`,
      issuer: v2Issuer,
      authorization_endpoint: `${INSTANCE}/${tenant}/oauth2/v2.0/authorize`,
      ...common,
    });
    documents.set(`${INSTANCE}/${tenant}/.well-known/openid-configuration`, {
      token_endpoint: `${INSTANCE}/${tenant}/oauth2/token`,
      jwks_uri: `${INSTANCE}/${tenant}/discovery/keys`,
      issuer: v1Issuer,
      authorization_endpoint: `${INSTANCE}/${tenant}/oauth2/authorize`,
      ...common,
    });
    const all = Object.values(keys);
    documents.set(`${INSTANCE}/${tenant}/discovery/v2.0/keys`, {
      keys: all.filter((key) => key.inV2).map((key) => ({ ...publicJwk(key), issuer: key.v2Issuer ?? v2Issuer })),
    });
    documents.set(`${INSTANCE}/${tenant}/discovery/keys`, { keys: all.filter((key) => key.inV1).map(publicJwk) });
  }
  return documents;
}

function publicJwk(key: CorpusKey): Record<string, unknown> {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n: jwk.n, e: jwk.e };
}

// ---------------------------------------------------------------------------------------------
// Configurations

export interface Configuration {
  readonly name: string;
  readonly description: string;
  /** The app's AUTH_* settings, as loadAuthSettings reads them. */
  readonly env: Readonly<Record<string, string>>;
  /** What the Microsoft.IdentityModel judge reads (conformance/IdentityModelJudge). */
  readonly judge: {
    readonly instance: string;
    readonly authorityTenant: string;
    readonly clientId: string;
    readonly validAudiences: readonly string[];
    readonly clockSkewSeconds: number;
    readonly nowUnixSeconds: number;
    readonly allowWebApiToBeAuthorizedByAcl: boolean;
    readonly issuerValidation: 'aad' | 'validIssuers';
  };
}

const AUDIENCES = [CLIENT_ID, APP_ID_URI, `${APP_ID_URI}/`];

function configuration(
  name: string,
  description: string,
  env: Record<string, string>,
  authorityTenant: string,
  { acl = false, issuerValidation = 'aad' }: { acl?: boolean; issuerValidation?: 'aad' | 'validIssuers' } = {},
): Configuration {
  return {
    name,
    description,
    env: { AUTH_TENANT_ID: authorityTenant, AUTH_CLIENT_ID: CLIENT_ID, AUTH_APP_ID_URI: APP_ID_URI, AUTH_INSTANCE: INSTANCE, ...env },
    judge: {
      instance: INSTANCE,
      authorityTenant,
      clientId: CLIENT_ID,
      validAudiences: AUDIENCES,
      clockSkewSeconds: SKEW_SECONDS,
      nowUnixSeconds: NOW,
      allowWebApiToBeAuthorizedByAcl: acl,
      issuerValidation,
    },
  };
}

export const CONFIGURATIONS: readonly Configuration[] = [
  // Microsoft.Identity.Web registers AadIssuerValidator whenever ValidateIssuer is on, single tenant included.
  configuration('single', 'single tenant, v1 and v2 tokens', {}, TENANT),
  // The same API with the tenant's two issuers as plain ValidIssuers instead (JwtBearer without Microsoft.Identity.Web's issuer validator).
  configuration('single-valid-issuers', 'single tenant, issuers as ValidIssuers', {}, TENANT, { issuerValidation: 'validIssuers' }),
  configuration('single-acl', 'single tenant, allowed client apps, tokens without permissions allowed (MIW AllowWebApiToBeAuthorizedByACL)', {
    AUTH_ALLOWED_CLIENT_APPS: CALLER_APP,
    AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: 'true',
  }, TENANT, { acl: true }),
  configuration('single-v2', 'single tenant, v2 tokens only', { AUTH_TOKEN_VERSIONS: '2.0' }, TENANT),
  configuration('multi-list', 'multi-tenant (organizations), allow-list of two tenants', { AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` }, 'organizations'),
  configuration('multi-any', 'multi-tenant (common), any tenant', { AUTH_ALLOWED_TENANTS: '*' }, 'common'),
];

// ---------------------------------------------------------------------------------------------
// Tokens

export type BaseName = 'v2-app' | 'v2-user' | 'v1-app' | 'v1-user';
export const BASES: readonly BaseName[] = ['v2-app', 'v2-user', 'v1-app', 'v1-user'];

/** The field families the corpus covers; every variant belongs to one. */
export const FAMILIES = [
  'alg',
  'kid',
  'typ',
  'crit',
  'header',
  'iss',
  'ver',
  'aud',
  'tid',
  'exp',
  'nbf',
  'iat',
  'numeric',
  'caller',
  'permissions',
  'key-issuer',
  'signature',
  'encoding',
] as const;
export type Family = (typeof FAMILIES)[number];

export type SigningAlg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'HS256' | 'none';

/** A token being built: JSON objects until signing, then optional text and token edits. */
export interface Draft {
  readonly base: BaseName;
  readonly version: '1.0' | '2.0';
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  key: KeyName;
  /** How the signature is made (the header's alg may say otherwise). */
  signWith: SigningAlg;
  headerText?: (json: string) => string;
  payloadText?: (json: string) => string;
  /** Applied to the finished compact token. */
  damage?: (token: string) => string;
}

export interface Variant {
  readonly family: Family;
  readonly name: string;
  apply(draft: Draft): void;
}

export interface Case {
  readonly id: string;
  readonly base: BaseName;
  /** `family:name` of every variant applied (none: the base token as Entra issues it). */
  readonly tags: readonly string[];
  readonly families: readonly Family[];
  readonly token: string;
}

const v2Issuer = (tenant: string) => `${INSTANCE}/${tenant}/v2.0`;
const v1Issuer = (tenant: string) => `https://sts.windows.net/${tenant}/`;
const issuerFor = (draft: Draft, tenant: string) => (draft.version === '2.0' ? v2Issuer(tenant) : v1Issuer(tenant));

/** A token as Entra issues it for `base`, before any variant; `uti` makes it distinct. */
export function baseDraftFor(base: BaseName, uti: string): Draft {
  const version = base.startsWith('v2') ? '2.0' : '1.0';
  const app = base.endsWith('app');
  const payload: Record<string, unknown> = {
    aud: version === '2.0' ? CLIENT_ID : APP_ID_URI,
    iss: version === '2.0' ? v2Issuer(TENANT) : v1Issuer(TENANT),
    iat: NOW - 300,
    nbf: NOW - 300,
    exp: NOW + 3300,
    aio: 'E2ZgYJgv0XR8f0n0AAA=',
    ...(version === '2.0' ? { azp: CALLER_APP, azpacr: app ? '1' : '0' } : { appid: CALLER_APP, appidacr: app ? '1' : '0' }),
    oid: app ? APP_OID : USER_OID,
    sub: app ? APP_OID : 'jH3gTqK8mV0m5cJw7u9bPq2Lr6sXyZa1bC3dE5fG7hI',
    tid: TENANT,
    uti,
    rh: '0.AAAAv4j5cvGGr0GRqy180BHbRw.',
    ver: version,
    ...(app
      ? { roles: ['Orders.Read'], idtyp: 'app' }
      : { scp: 'Orders.Read', name: 'Megan Bowen', idtyp: 'user', ...(version === '2.0' ? { preferred_username: 'meganb@contoso.com' } : { upn: 'meganb@contoso.com' }) }),
  };
  return { base, version, header: { typ: 'JWT', alg: 'RS256', x5t: 'main-key-2026', kid: 'main-key-2026' }, payload, key: 'main', signWith: 'RS256' };
}

/** Sets a JSON member; `undefined` removes it. */
function setMember(record: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) Reflect.deleteProperty(record, key);
  else record[key] = value;
}
const variant = (family: Family, name: string, apply: (draft: Draft) => void): Variant => ({ family, name, apply });
/** Sets a payload claim; `undefined` removes it. */
const claim = (family: Family, name: string, key: string, value: unknown) =>
  variant(family, name, (draft) => {
    const resolved = typeof value === 'function' ? (value as (draft: Draft) => unknown)(draft) : value;
    setMember(draft.payload, key, resolved);
  });
const headerMember = (family: Family, name: string, key: string, value: unknown) =>
  variant(family, name, (draft) => {
    setMember(draft.header, key, value);
  });
/** Signs with another key, naming it in kid (and x5t). */
const signedBy = (family: Family, name: string, key: KeyName, kid: string) =>
  variant(family, name, (draft) => {
    draft.key = key;
    draft.header.kid = kid;
    draft.header.x5t = kid;
  });
const relative = (family: 'exp' | 'nbf' | 'iat', offset: number | undefined) =>
  claim(family, offset === undefined ? 'missing' : `now${offset >= 0 ? '+' : ''}${offset}`, family, offset === undefined ? undefined : NOW + offset);
const segment = (token: string, index: number) => token.split('.')[index] ?? '';
const replaceSegment = (token: string, index: number, value: string) => token.split('.').map((part, i) => (i === index ? value : part)).join('.');
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');
/** Pads a JSON object's text with spaces before its closing brace until its UTF-8 length is `mod` modulo 3. */
function withLengthMod3(json: string, mod: number): string {
  let text = json;
  while (Buffer.byteLength(text) % 3 !== mod) text = `${text.slice(0, -1)} }`;
  return text;
}

/**
 * The variants of each family: valid values and invalid ones. Names are stable: the
 * table of deliberate differences refers to them as `family:name`.
 */
export function variants(keys: Keys): readonly Variant[] {
  const list: Variant[] = [
    // alg: what the header says, and what the signature really is.
    ...(['RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const).map((alg) =>
      variant('alg', alg, (draft) => {
        draft.header.alg = alg;
        draft.signWith = alg;
      }),
    ),
    variant('alg', 'none', (draft) => {
      draft.header.alg = 'none';
      draft.signWith = 'none';
    }),
    variant('alg', 'HS256-public-key', (draft) => {
      draft.header.alg = 'HS256';
      draft.signWith = 'HS256';
    }),
    headerMember('alg', 'lowercase-rs256', 'alg', 'rs256'),
    headerMember('alg', 'missing', 'alg', undefined),
    headerMember('alg', 'ES256-label', 'alg', 'ES256'),
    headerMember('alg', 'number', 'alg', 256),

    // kid
    headerMember('kid', 'missing', 'kid', undefined),
    headerMember('kid', 'unknown', 'kid', 'no-such-key'),
    headerMember('kid', 'empty', 'kid', ''),
    headerMember('kid', 'number', 'kid', 2026),
    headerMember('kid', 'path-chars', 'kid', '../main-key-2026'),
    headerMember('kid', 'long', 'kid', 'k'.repeat(200)),
    variant('kid', 'unpublished-key-with-main-kid', (draft) => {
      draft.key = 'unpublished';
    }),
    signedBy('kid', 'unpublished-key', 'unpublished', keys.unpublished.kid),
    signedBy('kid', 'rsa1024-key', 'weak', keys.weak.kid),
    variant('kid', 'missing-x5t-only', (draft) => {
      delete draft.header.kid;
      draft.header.x5t = keys.main.kid;
    }),

    // key issuer: which published key signs, and for which issuer it is published
    signedBy('key-issuer', 'foreign-tenant-key', 'foreign', keys.foreign.kid),
    signedBy('key-issuer', 'v2-only-key', 'v2only', keys.v2only.kid),

    // typ
    headerMember('typ', 'missing', 'typ', undefined),
    headerMember('typ', 'at+jwt', 'typ', 'at+jwt'),
    headerMember('typ', 'application/at+jwt', 'typ', 'application/at+jwt'),
    headerMember('typ', 'lowercase-jwt', 'typ', 'jwt'),
    headerMember('typ', 'JOSE', 'typ', 'JOSE'),
    headerMember('typ', 'JWS', 'typ', 'JWS'),
    headerMember('typ', 'number', 'typ', 1),

    // crit (RFC 7515 §4.1.11)
    variant('crit', 'unknown-extension', (draft) => {
      draft.header.crit = ['x-required'];
      draft.header['x-required'] = true;
    }),
    variant('crit', 'names-exp', (draft) => {
      draft.header.crit = ['exp'];
      draft.header.exp = NOW + 3300;
    }),
    headerMember('crit', 'empty-list', 'crit', []),
    headerMember('crit', 'string', 'crit', 'x-required'),
    variant('crit', 'b64-false', (draft) => {
      draft.header.crit = ['b64'];
      draft.header.b64 = false;
    }),

    // header extras
    headerMember('header', 'graph-nonce', 'nonce', 'dq3yXS5e1mQZXyNk3mG8xIhkYHSQxYnEl3gFN3Y6j1s'),
    headerMember('header', 'jku', 'jku', 'https://attacker.example/keys'),
    variant('header', 'embedded-jwk', (draft) => {
      draft.header.jwk = { kty: 'RSA', ...keys.unpublished.publicKey.export({ format: 'jwk' }) };
      draft.key = 'unpublished';
      draft.header.kid = keys.unpublished.kid;
    }),
    headerMember('header', 'x5u', 'x5u', 'https://attacker.example/cert.pem'),
    headerMember('header', 'x5c', 'x5c', ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA']),
    headerMember('header', 'cty-JWT', 'cty', 'JWT'),
    headerMember('header', 'zip', 'zip', 'DEF'),
    headerMember('header', 'enc', 'enc', 'A256GCM'),
    headerMember('header', 'x5t#S256', 'x5t#S256', 'Q1pTUXVhS3p1c3RvbWVy'),
    headerMember('header', 'unknown-member', 'foo', 'bar'),
    headerMember('header', 'no-x5t', 'x5t', undefined),

    // iss in each form, for the token's tenant unless the name says otherwise
    claim('iss', 'v2-form', 'iss', (d: Draft) => v2Issuer(String(d.payload.tid))),
    claim('iss', 'v1-form', 'iss', (d: Draft) => v1Issuer(String(d.payload.tid))),
    claim('iss', 'v2-trailing-slash', 'iss', (d: Draft) => `${v2Issuer(String(d.payload.tid))}/`),
    claim('iss', 'v1-no-trailing-slash', 'iss', (d: Draft) => v1Issuer(String(d.payload.tid)).slice(0, -1)),
    claim('iss', 'login-windows-net', 'iss', (d: Draft) => `https://login.windows.net/${String(d.payload.tid)}/`),
    claim('iss', 'uppercase-host', 'iss', (d: Draft) => issuerFor(d, String(d.payload.tid)).replace('https://login.microsoftonline.com', 'https://LOGIN.microsoftonline.com').replace('https://sts.windows.net', 'https://STS.windows.net')),
    claim('iss', 'uppercase-tenant', 'iss', (d: Draft) => issuerFor(d, String(d.payload.tid).toUpperCase())),
    claim('iss', 'other-tenant', 'iss', (d: Draft) => issuerFor(d, OTHER_TENANT)),
    claim('iss', 'template-literal', 'iss', (d: Draft) => issuerFor(d, '{tenantid}')),
    claim('iss', 'common', 'iss', (d: Draft) => issuerFor(d, 'common')),
    claim('iss', 'http-scheme', 'iss', (d: Draft) => issuerFor(d, String(d.payload.tid)).replace('https:', 'http:')),
    claim('iss', 'v1.1-suffix', 'iss', (d: Draft) => `${INSTANCE}/${String(d.payload.tid)}/v1.1`),
    claim('iss', 'missing', 'iss', undefined),
    claim('iss', 'number', 'iss', 42),

    // ver
    claim('ver', '2.0', 'ver', '2.0'),
    claim('ver', '1.0', 'ver', '1.0'),
    claim('ver', 'missing', 'ver', undefined),
    claim('ver', '2', 'ver', '2'),
    claim('ver', 'number-2', 'ver', 2),
    claim('ver', '3.0', 'ver', '3.0'),
    claim('ver', 'empty', 'ver', ''),

    // aud in each form
    claim('aud', 'client-id', 'aud', CLIENT_ID),
    claim('aud', 'app-id-uri', 'aud', APP_ID_URI),
    claim('aud', 'app-id-uri-slash', 'aud', `${APP_ID_URI}/`),
    claim('aud', 'api-client-id', 'aud', `api://${CLIENT_ID}`),
    claim('aud', 'other-api', 'aud', OTHER_APP),
    claim('aud', 'uppercase-client-id', 'aud', CLIENT_ID.toUpperCase()),
    claim('aud', 'uppercase-app-id-uri', 'aud', APP_ID_URI.toUpperCase()),
    claim('aud', 'array-one', 'aud', [CLIENT_ID]),
    claim('aud', 'array-other-first', 'aud', [OTHER_APP, CLIENT_ID]),
    claim('aud', 'array-empty', 'aud', []),
    claim('aud', 'missing', 'aud', undefined),
    claim('aud', 'number', 'aud', 7),
    claim('aud', 'graph', 'aud', 'https://graph.microsoft.com'),
    claim('aud', 'double-slash', 'aud', `${APP_ID_URI}//`),

    // tid spellings and tenants; "follow" also moves iss to the same tenant
    ...tenantVariants(),

    // lifetime, around the skew
    ...[3600, 301, 1, 0, -1, -299, -300, -301, -3600, undefined].map((offset) => relative('exp', offset)),
    ...[-300, 0, 299, 300, 301, 3600, undefined].map((offset) => relative('nbf', offset)),
    ...[-300, 0, 299, 300, 301, 3600, undefined].map((offset) => relative('iat', offset)),

    // numeric types
    claim('numeric', 'exp-string', 'exp', String(NOW + 3300)),
    claim('numeric', 'exp-fraction', 'exp', NOW + 3300.5),
    claim('numeric', 'exp-huge', 'exp', 1e20),
    claim('numeric', 'exp-negative', 'exp', -1),
    claim('numeric', 'exp-boolean', 'exp', true),
    claim('numeric', 'exp-null', 'exp', null),
    claim('numeric', 'exp-array', 'exp', [NOW + 3300]),
    variant('numeric', 'exp-decimal-point', (draft) => {
      draft.payloadText = (json) => json.replace(`"exp":${NOW + 3300}`, `"exp":${NOW + 3300}.0`);
    }),
    variant('numeric', 'exp-exponent', (draft) => {
      draft.payloadText = (json) => json.replace(`"exp":${NOW + 3300}`, `"exp":${(NOW + 3300) / 100}e2`);
    }),
    claim('numeric', 'nbf-string', 'nbf', String(NOW - 300)),
    claim('numeric', 'iat-string', 'iat', String(NOW - 300)),
    claim('numeric', 'nbf-fraction', 'nbf', NOW - 299.5),
    claim('numeric', 'iat-null', 'iat', null),

    // azp / appid
    variant('caller', 'missing', (draft) => {
      delete draft.payload.azp;
      delete draft.payload.appid;
    }),
    variant('caller', 'wrong-claim-for-version', (draft) => {
      const value = draft.payload.azp ?? draft.payload.appid;
      delete draft.payload.azp;
      delete draft.payload.appid;
      draft.payload[draft.version === '2.0' ? 'appid' : 'azp'] = value;
    }),
    variant('caller', 'both-claims', (draft) => {
      draft.payload.azp = CALLER_APP;
      draft.payload.appid = CALLER_APP;
    }),
    variant('caller', 'other-app', (draft) => {
      draft.payload[draft.version === '2.0' ? 'azp' : 'appid'] = OTHER_APP;
    }),
    variant('caller', 'uppercase', (draft) => {
      draft.payload[draft.version === '2.0' ? 'azp' : 'appid'] = CALLER_APP.toUpperCase();
    }),
    variant('caller', 'not-a-guid', (draft) => {
      draft.payload[draft.version === '2.0' ? 'azp' : 'appid'] = 'orders-client';
    }),
    variant('caller', 'number', (draft) => {
      draft.payload[draft.version === '2.0' ? 'azp' : 'appid'] = 12345;
    }),

    // scp / roles shapes
    ...permissionVariants(),

    // signature damage
    variant('signature', 'flipped-bit', (draft) => {
      draft.damage = (token) => {
        const bytes = Buffer.from(segment(token, 2), 'base64url');
        bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
        return replaceSegment(token, 2, bytes.toString('base64url'));
      };
    }),
    variant('signature', 'truncated', (draft) => {
      draft.damage = (token) => token.slice(0, -4);
    }),
    variant('signature', 'empty', (draft) => {
      draft.damage = (token) => replaceSegment(token, 2, '');
    }),
    variant('signature', 'zeros', (draft) => {
      draft.damage = (token) => replaceSegment(token, 2, Buffer.alloc(256).toString('base64url'));
    }),
    variant('signature', 'padded', (draft) => {
      draft.damage = (token) => `${token}==`;
    }),
    variant('signature', 'standard-base64', (draft) => {
      draft.damage = (token) => replaceSegment(token, 2, Buffer.from(segment(token, 2), 'base64url').toString('base64').replace(/=+$/, ''));
    }),
    variant('signature', 'non-canonical-last-char', (draft) => {
      // 256 bytes encode to 342 characters, the last carrying 4 unused bits: set one of them.
      draft.damage = (token) => {
        const sig = segment(token, 2);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = alphabet.indexOf(sig.charAt(sig.length - 1));
        return replaceSegment(token, 2, sig.slice(0, -1) + alphabet.charAt(last | 0x01));
      };
    }),
    variant('signature', 'extra-bytes', (draft) => {
      draft.damage = (token) => replaceSegment(token, 2, Buffer.concat([Buffer.from(segment(token, 2), 'base64url'), Buffer.from([0, 0])]).toString('base64url'));
    }),

    // encoding damage
    variant('encoding', 'header-padded', (draft) => {
      draft.headerText = (json) => withLengthMod3(json, 1); // one byte past a group: base64 would end in '=='
      draft.damage = (token) => replaceSegment(token, 0, `${segment(token, 0)}==`);
    }),
    variant('encoding', 'payload-standard-base64', (draft) => {
      draft.payload.blob = '\u00fb\u00ff\u00fe>?~';
      draft.damage = (token) => replaceSegment(token, 1, Buffer.from(segment(token, 1), 'base64url').toString('base64').replace(/=+$/, ''));
    }),
    variant('encoding', 'payload-non-canonical-bits', (draft) => {
      draft.payloadText = (json) => withLengthMod3(json, 1); // the last character then carries 4 unused bits
      draft.damage = (token) => {
        const payload = segment(token, 1);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = alphabet.indexOf(payload.charAt(payload.length - 1));
        return replaceSegment(token, 1, payload.slice(0, -1) + alphabet.charAt(last | 0x01));
      };
    }),
    variant('encoding', 'four-segments', (draft) => {
      draft.damage = (token) => `${token}.AAAA`;
    }),
    variant('encoding', 'five-segments', (draft) => {
      draft.damage = (token) => `${segment(token, 0)}..${segment(token, 1)}.${segment(token, 2)}.`;
    }),
    variant('encoding', 'two-segments', (draft) => {
      draft.damage = (token) => token.slice(0, token.lastIndexOf('.'));
    }),
    variant('encoding', 'inner-space', (draft) => {
      draft.damage = (token) => token.replace('.', '. ');
    }),
    variant('encoding', 'bearer-prefix', (draft) => {
      draft.damage = (token) => `Bearer ${token}`;
    }),
    variant('encoding', 'invalid-utf8', (draft) => {
      draft.payloadText = (json) => json.replace('"aio":"', '"aio":"\uFFFF'); // encodeSegment writes the byte 0xFF
    }),
    variant('encoding', 'utf8-bom', (draft) => {
      draft.payloadText = (json) => `\uFEFF${json}`;
    }),
    variant('encoding', 'payload-array', (draft) => {
      draft.payloadText = (json) => `[${json}]`;
    }),
    variant('encoding', 'trailing-garbage', (draft) => {
      draft.payloadText = (json) => `${json}x`;
    }),
    variant('encoding', 'duplicate-aud', (draft) => {
      draft.payloadText = (json) => `{"aud":"${OTHER_APP}",${json.slice(1)}`;
    }),
    variant('encoding', 'duplicate-tid', (draft) => {
      draft.payloadText = (json) => `{"tid":"${THIRD_TENANT}",${json.slice(1)}`;
    }),
    variant('encoding', 'case-variant-tid', (draft) => {
      draft.payload.TID = THIRD_TENANT;
    }),
    variant('encoding', 'duplicate-alg', (draft) => {
      draft.headerText = (json) => `{"alg":"none",${json.slice(1)}`;
    }),
    variant('encoding', 'header-not-json', (draft) => {
      draft.headerText = () => 'alg=RS256';
    }),
    variant('encoding', 'large-10kb', (draft) => {
      draft.payload.groups = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    }),
    variant('encoding', 'oversize-20kb', (draft) => {
      draft.payload.groups = Array.from({ length: 420 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    }),
    claim('encoding', 'unicode-claim', 'name', 'Mégan Bøwen 🚀'),
    variant('encoding', 'lone-surrogate-escape', (draft) => {
      draft.payloadText = (json) => json.replace('"aio":"', '"aio":"\\ud800');
    }),
  ];
  return list;
}

function tenantVariants(): Variant[] {
  const tid = (name: string, value: unknown, follow: boolean) =>
    variant('tid', name, (draft) => {
      if (value === undefined) delete draft.payload.tid;
      else draft.payload.tid = value;
      if (follow && typeof value === 'string') draft.payload.iss = issuerFor(draft, value);
    });
  return [
    tid('uppercase', TENANT.toUpperCase(), false),
    tid('uppercase-follow', TENANT.toUpperCase(), true),
    tid('braces-follow', `{${TENANT}}`, true),
    tid('other-allowed-follow', OTHER_TENANT, true),
    tid('third-not-allowed-follow', THIRD_TENANT, true),
    tid('other-allowed-home-iss', OTHER_TENANT, false),
    tid('missing', undefined, false),
    tid('number', 7, false),
    tid('domain-follow', 'contoso.onmicrosoft.com', true),
    tid('trailing-space', `${TENANT} `, false),
  ];
}

function permissionVariants(): Variant[] {
  const permissions = (name: string, set: Record<string, unknown>) =>
    variant('permissions', name, (draft) => {
      delete draft.payload.scp;
      delete draft.payload.roles;
      delete draft.payload.idtyp;
      for (const [key, value] of Object.entries(set)) draft.payload[key] = value;
    });
  return [
    permissions('scp-two', { scp: 'Orders.Read Orders.Write', idtyp: 'user' }),
    permissions('scp-empty', { scp: '', idtyp: 'user' }),
    permissions('scp-space', { scp: ' ', idtyp: 'user' }),
    permissions('scp-array', { scp: ['Orders.Read'], idtyp: 'user' }),
    permissions('scp-number', { scp: 1, idtyp: 'user' }),
    permissions('roles-empty-app', { roles: [], idtyp: 'app' }),
    permissions('roles-string', { roles: 'Orders.Read', idtyp: 'app' }),
    permissions('roles-number-item', { roles: [1], idtyp: 'app' }),
    permissions('roles-empty-item', { roles: [''], idtyp: 'app' }),
    permissions('none-app', { idtyp: 'app' }),
    permissions('none-user', { idtyp: 'user' }),
    permissions('none-no-idtyp', {}),
    permissions('scp-and-roles', { scp: 'Orders.Read', roles: ['Orders.Read'], idtyp: 'user' }),
    permissions('roles-only-user', { roles: ['Orders.Read'], idtyp: 'user' }),
  ];
}

/** Pairs of families whose interplay matters: every variant of one with every variant of the other. */
const PAIRS: readonly (readonly [Family, Family])[] = [
  ['iss', 'ver'],
  ['aud', 'ver'],
  ['alg', 'kid'],
  ['tid', 'iss'],
  ['exp', 'nbf'],
  ['exp', 'iat'],
  ['nbf', 'iat'],
  ['typ', 'crit'],
  ['caller', 'permissions'],
  ['key-issuer', 'tid'],
  ['key-issuer', 'iss'],
];

export interface Corpus {
  readonly keys: Keys;
  readonly documents: Map<string, unknown>;
  readonly configurations: readonly Configuration[];
  readonly cases: readonly Case[];
  readonly now: number;
}

/**
 * The whole corpus: the base tokens as Entra issues them, every variant alone on every
 * base, and every pair of variants of the families in PAIRS (on one base each, in turn).
 */
export function createCorpus(keys: Keys = createKeys()): Corpus {
  const all = variants(keys);
  const plans: { base: BaseName; applied: Variant[] }[] = [];
  for (const base of BASES) plans.push({ base, applied: [] });
  for (const single of all) for (const base of BASES) plans.push({ base, applied: [single] });
  let turn = 0;
  for (const [first, second] of PAIRS) {
    const firsts = all.filter((v) => v.family === first);
    const seconds = all.filter((v) => v.family === second);
    for (const a of firsts) {
      for (const b of seconds) {
        plans.push({ base: BASES[turn % BASES.length] as BaseName, applied: [a, b] });
        turn++;
      }
    }
  }
  const cases = plans.map((plan, index) => {
    const draft = baseDraftFor(plan.base, `conformance${String(index).padStart(6, '0')}`);
    for (const applied of plan.applied) applied.apply(draft);
    const tags = plan.applied.map((v) => `${v.family}:${v.name}`);
    return {
      id: `${plan.base}${tags.length > 0 ? ` ${tags.join(' + ')}` : ' as-issued'}`,
      base: plan.base,
      tags,
      families: [...new Set(plan.applied.map((v) => v.family))],
      token: signDraft(draft, keys),
    };
  });
  return { keys, documents: createDocuments(keys), configurations: CONFIGURATIONS, cases, now: NOW };
}

const HASHES = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512' } as const;

export function signDraft(draft: Draft, keys: Keys): string {
  let headerJson = JSON.stringify(draft.header);
  let payloadJson = JSON.stringify(draft.payload);
  if (draft.headerText) headerJson = draft.headerText(headerJson);
  if (draft.payloadText) payloadJson = draft.payloadText(payloadJson);
  const signingInput = `${encodeSegment(headerJson)}.${encodeSegment(payloadJson)}`;
  const key = keys[draft.key];
  let signature: Buffer;
  switch (draft.signWith) {
    case 'none':
      signature = Buffer.alloc(0);
      break;
    case 'HS256':
      // The classic confusion: the public key's PEM as an HMAC secret.
      signature = createHmac('sha256', key.publicKey.export({ format: 'pem', type: 'spki' })).update(signingInput).digest();
      break;
    case 'PS256':
    case 'PS384':
    case 'PS512':
      // A digest-length salt (what JWA requires) does not fit PS512 into a 1024-bit key: that pair gets the longest salt that fits.
      signature = sign(HASHES[draft.signWith], Buffer.from(signingInput), {
        key: key.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: (key.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) >= 2048 ? constants.RSA_PSS_SALTLEN_DIGEST : constants.RSA_PSS_SALTLEN_MAX_SIGN,
      });
      break;
    default:
      signature = sign(HASHES[draft.signWith], Buffer.from(signingInput), key.privateKey);
  }
  const token = `${signingInput}.${signature.toString('base64url')}`;
  return draft.damage ? draft.damage(token) : token;
}

/** UTF-8, except that U+FFFF stands for the invalid byte 0xFF (so a test can carry bytes that are not UTF-8). */
function encodeSegment(text: string): string {
  const parts = text.split('\uFFFF');
  return b64(Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [Buffer.from(part)] : [Buffer.from([0xff]), Buffer.from(part)]))));
}
