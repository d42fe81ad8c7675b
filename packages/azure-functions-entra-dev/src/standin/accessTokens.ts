import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ApiRegistration, ClientRegistration, TenantRegistration } from './registry';
import type { StandinSigningKey } from './signingKeys';

export type IssuedTokenVersion = '1.0' | '2.0';

export interface AppOnlyTokenInput {
  /** The stand-in's origin, e.g. https://127.0.0.1:7443: the authority host in v2 issuers. */
  readonly origin: string;
  readonly tenant: TenantRegistration;
  readonly api: ApiRegistration;
  readonly client: ClientRegistration;
  /** App roles assigned to the client on this API; none means no `roles` claim at all, as in Entra. */
  readonly roles: readonly string[];
  /** The resource as the client named it in its scope: the App ID URI or the API's client ID. */
  readonly resource: string;
  /** Seconds since the epoch. */
  readonly nowSeconds: number;
  readonly lifetimeSeconds: number;
}

/** Entra back-dates iat and nbf by five minutes to absorb clock skew between services. */
export const BACKDATE_SECONDS = 300;

/** The version of token Entra issues for an API: set by its registration, not by the endpoint used. */
export function tokenVersionFor(api: ApiRegistration): IssuedTokenVersion {
  return api.requestedAccessTokenVersion === 2 ? '2.0' : '1.0';
}

/**
 * The claims of an app-only (client_credentials) access token, in the shapes of
 * Microsoft's access token claims reference: v2 names the caller in azp/azpacr and
 * has the API's client ID as aud; v1 uses appid/appidacr, the sts.windows.net
 * issuer and the resource as requested (normally the App ID URI) as aud.
 */
export function appOnlyAccessTokenClaims(input: AppOnlyTokenInput): Record<string, unknown> {
  const { api, client, tenant } = input;
  const version = tokenVersionFor(api);
  const issuedAt = input.nowSeconds - BACKDATE_SECONDS;
  const v1Issuer = `https://sts.windows.net/${tenant.id}/`;
  const namedByUri = input.resource.toLowerCase() === api.appIdUri.toLowerCase();
  const claims: Record<string, unknown> = {
    aud: version === '2.0' ? api.clientId : namedByUri ? api.appIdUri : api.clientId,
    iss: version === '2.0' ? `${input.origin}/${tenant.id}/v2.0` : v1Issuer,
    iat: issuedAt,
    nbf: issuedAt,
    exp: input.nowSeconds + input.lifetimeSeconds,
    aio: randomBytes(42).toString('base64'),
    ...(version === '2.0' ? { azp: client.clientId, azpacr: '1' } : { appid: client.clientId, appidacr: '1', idp: v1Issuer }),
    idtyp: 'app',
    oid: client.servicePrincipalId,
    rh: `0.${randomBytes(48).toString('base64url')}.`,
    ...(input.roles.length > 0 && { roles: [...input.roles] }),
    sub: client.servicePrincipalId,
    tid: tenant.id,
    uti: randomBytes(16).toString('base64url'),
    ver: version,
  };
  return claims;
}

/** Signs claims as Entra does: RS256 with the key's kid; v1 tokens also carry x5t. */
export async function signAccessToken(claims: Record<string, unknown>, key: StandinSigningKey, version: IssuedTokenVersion): Promise<string> {
  const header = version === '1.0' ? { typ: 'JWT', alg: 'RS256', x5t: key.x5t, kid: key.kid } : { typ: 'JWT', alg: 'RS256', kid: key.kid };
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}
