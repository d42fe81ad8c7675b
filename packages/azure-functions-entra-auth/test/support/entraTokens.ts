import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, type JWK } from 'jose';

/**
 * Test-only token minting with the claim shapes of Microsoft's access-token claims
 * reference. Real RSA keys, real signatures.
 */

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const API_CLIENT_ID = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
export const APP_ID_URI = 'api://orders-api';
export const CALLER_APP = '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01';
export const USER_OID = '5b1b7f6e-4d8c-4a3e-9b1a-7c2d3e4f5a6b';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export function createTestKey(kid = `kid-${randomUUID().slice(0, 8)}`, modulusLength = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const jwk = publicKeyJwk(publicKey);
  return { kid, privateKey, publicJwk: { ...jwk, kid, kty: 'RSA', use: 'sig' } };
}

function publicKeyJwk(publicKey: KeyObject): JWK {
  return publicKey.export({ format: 'jwk' });
}

export { exportJWK };

export type TokenKind = 'app' | 'delegated';

export interface TokenOptions {
  readonly version?: '1.0' | '2.0';
  readonly kind?: TokenKind;
  readonly tenant?: string;
  readonly instance?: string;
  readonly roles?: readonly string[];
  readonly scp?: string;
  /** Extra or replacement claims; `undefined` removes a claim. */
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  /** Seconds since the epoch the token is issued at. */
  readonly now?: number;
  readonly lifetimeSeconds?: number;
}

/** The claims Entra puts in an access token of the given version and kind. */
export function accessTokenClaims(options: TokenOptions = {}): Record<string, unknown> {
  const version = options.version ?? '2.0';
  const kind = options.kind ?? 'app';
  const tenant = options.tenant ?? TENANT;
  const instance = options.instance ?? 'https://login.microsoftonline.com';
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const lifetime = options.lifetimeSeconds ?? 3599;
  const appOnly = kind === 'app';
  const subject = appOnly ? 'a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d' : USER_OID;
  const common: Record<string, unknown> = {
    aud: version === '2.0' ? API_CLIENT_ID : APP_ID_URI,
    iss: version === '2.0' ? `${instance}/${tenant}/v2.0` : `https://sts.windows.net/${tenant}/`,
    iat: now - 5,
    nbf: now - 5,
    exp: now + lifetime,
    aio: 'E2ZgYJgv0XR8f0n0AAA=',
    oid: subject,
    sub: appOnly ? subject : 'jH3gTqK8mV0m5cJw7u9bPq2Lr6sXyZa1bC3dE5fG7hI',
    tid: tenant,
    uti: randomUUID().replaceAll('-', '').slice(0, 22),
    rh: '0.AAAAv4j5cvGGr0GRqy180BHbRw.',
    ver: version,
  };
  const caller =
    version === '2.0'
      ? { azp: CALLER_APP, azpacr: appOnly ? '1' : '0' }
      : { appid: CALLER_APP, appidacr: appOnly ? '1' : '0' };
  const permissions = appOnly
    ? { roles: options.roles ?? ['Orders.Read'], idtyp: 'app' }
    : {
        scp: options.scp ?? 'Orders.Read',
        name: 'Megan Bowen',
        ...(version === '2.0' ? { preferred_username: 'meganb@contoso.com' } : { upn: 'meganb@contoso.com', unique_name: 'meganb@contoso.com' }),
        ...(options.roles && { roles: options.roles }),
        idtyp: 'user',
      };
  return withoutUndefined({ ...common, ...caller, ...permissions, ...options.claims });
}

/** Signs claims as Entra does: RS256, `typ: JWT`, `kid` (and `x5t`) of the signing key. */
export async function signToken(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const protectedHeader = withoutUndefined({ typ: 'JWT', alg: 'RS256', x5t: key.kid, kid: key.kid, ...header });
  return new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

export async function mintAccessToken(key: TestKey, options: TokenOptions = {}): Promise<string> {
  return signToken(key, accessTokenClaims(options), options.header);
}

/** Builds a compact JWS from raw segments (for hostile inputs jose would refuse to produce). */
export function b64url(value: string | Buffer | object): string {
  const bytes = typeof value === 'string' || Buffer.isBuffer(value) ? Buffer.from(value) : Buffer.from(JSON.stringify(value));
  return bytes.toString('base64url');
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
