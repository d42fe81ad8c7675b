import type { TokenVersion } from '../settings/authSettings';
import type { EntraAccessTokenClaims } from '../entra/accessTokenClaims';
import type { TokenFacts } from '../errors/authErrors';

/** An access token that passed every check: signature, issuer, audience, lifetime, tenant, caller. */
export interface VerifiedAccessToken {
  readonly claims: EntraAccessTokenClaims;
  readonly version: TokenVersion;
  readonly tenantId: string;
  /** The calling application: `azp` (v2) or `appid` (v1). */
  readonly clientAppId: string;
  readonly kid: string;
}

export interface AccessTokenVerifier {
  /** Resolves with the verified token, or rejects with an AuthError naming the failed check. */
  verify(token: string): Promise<VerifiedAccessToken>;
  /** Whether Entra signing keys are cached for some accepted token version (for health reports; never loads). */
  keysLoaded(): boolean;
  /** Fetches discovery documents and key sets for the accepted versions ahead of the first request; never rejects. */
  warmUp(): Promise<void>;
}

/** The IDs of a verified token, for the failures that come after verification (authorization). */
export function tokenFacts(verified: VerifiedAccessToken): TokenFacts {
  return { tenantId: verified.tenantId, clientAppId: verified.clientAppId, version: verified.version, kid: verified.kid };
}
