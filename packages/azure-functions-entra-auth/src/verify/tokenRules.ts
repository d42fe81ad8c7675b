import type { AuthSettings, TokenVersion } from '../settings/authSettings';
import { CANONICAL_GUID, GUID_PATTERN } from '../settings/fields';
import type { EntraAccessTokenClaims } from '../entra/accessTokenClaims';
import { TENANT_TEMPLATE } from '../entra/openIdMetadata';
import {
  AudienceMismatchError,
  ClaimInvalidError,
  ClientAppNotAllowedError,
  IssuerMismatchError,
  NotAccessTokenError,
  TenantNotAllowedError,
  TokenExpiredError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenVersionNotAllowedError,
  type AuthErrorOptions,
  type TokenFacts,
} from '../errors/authErrors';

/**
 * The Entra-specific claim rules, one function per check, each throwing the typed
 * error for exactly that check. They are pure: settings and time come in as
 * arguments, and so do the token's `facts`, which every error carries from birth.
 */

const GRAPH_AUDIENCES = new Set(['00000003-0000-0000-c000-000000000000', 'https://graph.microsoft.com', 'https://graph.microsoft.com/']);

export function checkTokenVersion(claims: EntraAccessTokenClaims, settings: AuthSettings, facts?: TokenFacts): TokenVersion {
  const version = settings.tokenVersions.find((accepted) => accepted === claims.ver);
  if (!version) {
    throw new TokenVersionNotAllowedError(`token version is not accepted; accepted: ${settings.tokenVersions.join(', ')}`, 'claims.ver', { facts });
  }
  return version;
}

/**
 * `aud` must be one string naming this API. Checked before the signature so that a
 * token minted for another API (Microsoft Graph above all, whose tokens carry a
 * `nonce` header and cannot be verified by anyone but Graph) gets a reason that
 * helps the caller fix it instead of a puzzling signature failure.
 */
export function checkAudience(
  payload: Readonly<Record<string, unknown>>,
  header: Readonly<Record<string, unknown>>,
  settings: AuthSettings,
  facts?: TokenFacts,
): void {
  const options: AuthErrorOptions = { facts };
  const { aud } = payload;
  if (typeof aud !== 'string') {
    throw new AudienceMismatchError(aud === undefined ? 'aud is missing' : 'aud must be a single string naming this API', 'claims.aud', options);
  }
  if (!settings.audiences.includes(aud)) {
    const graph = GRAPH_AUDIENCES.has(aud) || 'nonce' in header;
    throw new AudienceMismatchError(
      graph
        ? 'token is for another audience (Microsoft Graph); request a token for this API instead'
        : 'token is for another audience; request a token for this API (scope {App ID URI}/.default)',
      'claims.aud',
      options,
    );
  }
  if ('nonce' in header) throw new AudienceMismatchError('token carries a Graph-style nonce header', 'header.nonce', options);
}

export function checkLifetime(claims: EntraAccessTokenClaims, nowSeconds: number, skewSeconds: number, facts?: TokenFacts): void {
  const options: AuthErrorOptions = { facts };
  // Checked before the clock, so no skew can admit it: each timestamp alone may be within now ± skew (IDX10224 in Microsoft.IdentityModel).
  if (claims.nbf !== undefined && claims.nbf > claims.exp) throw new TokenMalformedError('nbf is after exp: the token is never valid', 'claims.lifetime', options);
  if (claims.iat !== undefined && claims.iat > claims.exp) throw new TokenMalformedError('iat is after exp: the token was issued already expired', 'claims.lifetime', options);
  if (nowSeconds - skewSeconds >= claims.exp) throw new TokenExpiredError('token has expired', 'claims.exp', options);
  if (claims.nbf !== undefined && claims.nbf > nowSeconds + skewSeconds) {
    throw new TokenNotYetValidError('token is not valid yet (nbf)', 'claims.nbf', options);
  }
  if (claims.iat !== undefined && claims.iat > nowSeconds + skewSeconds) {
    throw new TokenNotYetValidError('token was issued in the future (iat)', 'claims.iat', options);
  }
}

/**
 * The token's lifetime, from `nbf` (or `iat`; or, with neither, from now) to `exp`,
 * may not exceed `maxLifetimeSeconds`: Entra issues nothing longer, and a signed
 * token with a ten-year (or 1e300) `exp` would otherwise be accepted and cached
 * until then.
 */
export function checkLifetimeBound(claims: EntraAccessTokenClaims, nowSeconds: number, maxLifetimeSeconds: number, facts?: TokenFacts): void {
  const start = claims.nbf ?? claims.iat ?? nowSeconds;
  if (!(claims.exp - start <= maxLifetimeSeconds)) {
    throw new TokenMalformedError(`lifetime from ${claims.nbf !== undefined ? 'nbf' : claims.iat !== undefined ? 'iat' : 'now'} to exp exceeds AUTH_MAX_TOKEN_LIFETIME_SECONDS`, 'claims.lifetime', { facts });
  }
}

/**
 * `tid` must be a tenant this API serves, spelt as Entra issues it: a lower-case
 * GUID without braces. Any other spelling is refused in every tenant mode, `*`
 * included, so one tenant has exactly one ID: the principal's `tenantId`, the
 * store's partition, the tenant-route comparison and the telemetry dimension.
 * Returns that ID.
 */
export function checkTenant(claims: EntraAccessTokenClaims, settings: AuthSettings, facts?: TokenFacts): string {
  const { tid } = claims;
  if (!CANONICAL_GUID.test(tid)) {
    const reason = GUID_PATTERN.test(tid) ? 'tid must be the tenant GUID in lower case, as Entra issues it' : 'tid must be a tenant GUID';
    throw new ClaimInvalidError('tid', 'invalid', reason, { facts });
  }
  const { tenant } = settings;
  const allowed =
    tenant.kind === 'single' ? tid === tenant.tenantId : tenant.allowedTenants === 'any' || tenant.allowedTenants.includes(tid);
  if (!allowed) throw new TenantNotAllowedError('tokens from this tenant are not accepted', 'claims.tid', { facts });
  return tid;
}

/**
 * The issuer must be the metadata's issuer for the token's own version, with the
 * multi-tenant `{tenantid}` template resolved to the token's `tid`. Comparison is
 * exact: trailing slashes and case matter, as Entra documents.
 */
export function checkIssuer(
  claims: EntraAccessTokenClaims,
  metadataIssuer: string,
  check: 'claims.iss' | 'key.issuer' = 'claims.iss',
  facts?: TokenFacts,
): void {
  if (claims.iss !== metadataIssuer.replace(TENANT_TEMPLATE, claims.tid)) {
    throw new IssuerMismatchError(
      check === 'claims.iss' ? `iss is not the v${claims.ver} issuer for the token's tenant` : 'the signing key is not published for this issuer',
      check,
      { facts },
    );
  }
}

/**
 * For a v1 token: Entra's v1 key sets name no issuer per key, but its v2 sets publish the
 * same keys, each with the issuer it may sign for (`{tenantid}` for Entra's shared keys,
 * one tenant's issuer for a key of that tenant alone, such as a Microsoft-account key
 * bound to the consumers tenant). So a v1 token is held to the v2 set's word for its key:
 * the tenant that issuer names must be the token's `tid` (the template matches any
 * tenant). `v2KeyIssuer` undefined (the kid is not in the v2 set, or unannotated) passes:
 * there is no annotation to break. This is Microsoft.IdentityModel's AAD signing-key
 * issuer validation (IDX40005).
 */
export function checkKeyTenant(claims: EntraAccessTokenClaims, v2KeyIssuer: string | undefined, facts?: TokenFacts): void {
  if (v2KeyIssuer === undefined) return;
  const tenant = issuerTenant(v2KeyIssuer);
  if (tenant !== TENANT_TEMPLATE && tenant?.toLowerCase() !== claims.tid) {
    throw new IssuerMismatchError('the signing key is published for another tenant (the v2 key set names its issuer)', 'key.issuer', { facts });
  }
}

/** The tenant segment of an issuer URL, `https://host/{tenant}/...`: the first path segment; undefined if there is none. */
function issuerTenant(issuer: string): string | undefined {
  const scheme = issuer.indexOf('://');
  const start = scheme < 0 ? -1 : issuer.indexOf('/', scheme + 3);
  if (start < 0) return undefined;
  const end = issuer.indexOf('/', start + 1);
  const tenant = issuer.slice(start + 1, end < 0 ? undefined : end);
  return tenant === '' ? undefined : tenant;
}

/**
 * An access token for an API names its caller (`azp` in v2, `appid` in v1) and
 * carries permissions: `scp` for a signed-in user, `roles` for an app. An app-only
 * token with no role assigned yet is still an access token (authorization answers
 * 403 for it); a JWT with neither a caller nor any of these is not one (an ID
 * token, for instance). Returns the caller's app ID.
 */
export function checkAccessToken(claims: EntraAccessTokenClaims, version: TokenVersion, facts?: TokenFacts): string {
  const options: AuthErrorOptions = { facts };
  const callerClaim = version === '2.0' ? 'azp' : 'appid';
  const clientAppId = claims[callerClaim];
  if (clientAppId === undefined || !GUID_PATTERN.test(clientAppId)) {
    throw new NotAccessTokenError(`not an access token: ${callerClaim} is missing or not an app ID`, `claims.${callerClaim}`, options);
  }
  const hasScopes = claims.scp !== undefined && claims.scp.trim() !== '';
  const hasRoles = claims.roles !== undefined && claims.roles.length > 0;
  if (!hasScopes && !hasRoles && !isAppOnly(claims)) {
    throw new NotAccessTokenError('not an access token: it carries neither scp nor roles', 'claims.scp', options);
  }
  return clientAppId.toLowerCase();
}

/**
 * App-only (client_credentials) tokens say so with `idtyp: app` when the optional
 * claim is configured; without it, Microsoft's documented test is: no `scp` and
 * `oid` equal to `sub`.
 */
export function isAppOnly(claims: EntraAccessTokenClaims): boolean {
  if (claims.idtyp !== undefined) return claims.idtyp === 'app';
  return claims.scp === undefined && claims.oid !== undefined && claims.oid === claims.sub;
}

export function checkClientApp(clientAppId: string, version: TokenVersion, settings: AuthSettings, facts?: TokenFacts): void {
  if (settings.allowedClientApps && !settings.allowedClientApps.includes(clientAppId)) {
    throw new ClientAppNotAllowedError('the calling app is not in AUTH_ALLOWED_CLIENT_APPS', version === '2.0' ? 'claims.azp' : 'claims.appid', { facts });
  }
}
