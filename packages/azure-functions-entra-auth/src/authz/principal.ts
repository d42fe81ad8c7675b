import type { TokenVersion } from '../settings/authSettings';
import type { EntraAccessTokenClaims } from '../entra/accessTokenClaims';
import type { VerifiedAccessToken } from '../verify/verifiedAccessToken';
import { isAppOnly } from '../verify/tokenRules';

/** The caller as this API sees it, built from a verified access token. */
export interface Principal {
  /** The object ID of the user, or of the calling app's service principal. */
  readonly objectId: string | undefined;
  readonly subject: string | undefined;
  readonly tenantId: string;
  /** The calling application (`azp` in v2, `appid` in v1). */
  readonly clientAppId: string;
  /** True for client_credentials (daemon) tokens, false for tokens of signed-in users. */
  readonly isAppOnly: boolean;
  /** App roles from `roles`. */
  readonly roles: readonly string[];
  /** Delegated scopes from `scp`. */
  readonly scopes: readonly string[];
  readonly tokenVersion: TokenVersion;
  readonly claims: EntraAccessTokenClaims;
}

export function principalFrom(token: VerifiedAccessToken): Principal {
  const { claims } = token;
  return Object.freeze({
    objectId: claims.oid,
    subject: claims.sub,
    tenantId: token.tenantId,
    clientAppId: token.clientAppId,
    isAppOnly: isAppOnly(claims),
    roles: Object.freeze([...(claims.roles ?? [])]),
    // `scp` is one space-separated string; names are matched exactly, case included.
    scopes: Object.freeze(claims.scp === undefined ? [] : claims.scp.split(' ').filter(Boolean)),
    tokenVersion: token.version,
    claims,
  });
}
