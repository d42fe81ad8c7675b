import type { TokenVersion } from '../settings/authSettings';
import type { EntraAccessTokenClaims } from '../entra/accessTokenClaims';
import type { AuthorityKind } from '../authorities/authorityConfig';
import type { VerifiedAccessToken } from '../verify/verifiedAccessToken';

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
  /** The `kid` of the Entra key that signed the token. */
  readonly keyId: string;
  /** The configured authority that verified the token (`default` in the single-authority AUTH_* form). */
  readonly authority: string;
  readonly authorityKind: AuthorityKind;
  /** B2C: the user flow that issued the token; undefined for other authorities. */
  readonly userFlow: string | undefined;
  readonly claims: EntraAccessTokenClaims;
}

/** The principal of a verified token: its facts as the verifier established them, nothing re-read. */
export function principalFrom(token: VerifiedAccessToken): Principal {
  return Object.freeze({
    objectId: token.claims.oid,
    subject: token.claims.sub,
    tenantId: token.tenantId,
    clientAppId: token.clientAppId,
    isAppOnly: token.isAppOnly,
    roles: token.roles,
    scopes: token.scopes,
    tokenVersion: token.version,
    keyId: token.kid,
    authority: token.authority.name,
    authorityKind: token.authority.kind,
    userFlow: token.userFlow,
    claims: token.claims,
  });
}
