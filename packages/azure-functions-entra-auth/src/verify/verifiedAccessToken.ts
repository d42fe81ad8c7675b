import type { TokenVersion } from '../settings/authSettings';
import type { EntraAccessTokenClaims } from '../entra/accessTokenClaims';
import type { AuthorityRef } from '../authorities/authorityConfig';

/**
 * An access token that passed every check: signature, issuer, audience, lifetime,
 * tenant, caller. Every fact about it is worked out here, once, by the verifier;
 * the principal and authorization read them and never interpret the claims again.
 */
export interface VerifiedAccessToken {
  readonly claims: EntraAccessTokenClaims;
  readonly version: TokenVersion;
  readonly tenantId: string;
  /** The calling application: `azp` (v2) or `appid` (v1). */
  readonly clientAppId: string;
  readonly kid: string;
  /** True for client_credentials (daemon) tokens, false for tokens of signed-in users. */
  readonly isAppOnly: boolean;
  /** App roles from `roles`. */
  readonly roles: readonly string[];
  /** Delegated scopes from `scp` (one space-separated string; names matched exactly). */
  readonly scopes: readonly string[];
  /** The configured authority that verified it (`default` in the AUTH_* single-authority form). */
  readonly authority: AuthorityRef;
  /** B2C: the user flow that issued it; undefined elsewhere. */
  readonly userFlow: string | undefined;
}

export interface AccessTokenVerifier {
  /** Resolves with the verified token, or rejects with an AuthError naming the failed check. */
  verify(token: string): Promise<VerifiedAccessToken>;
  /** Whether Entra signing keys are cached for some accepted token version (for health reports; never loads). */
  keysLoaded(): boolean;
  /** Fetches discovery documents and key sets for the accepted versions ahead of the first request; never rejects. */
  warmUp(): Promise<void>;
}
