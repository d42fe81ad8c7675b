import type { IssuedTokenVersion } from './accessTokens';
import type { StandinAuthorityKind } from './devPaths';

/**
 * A token with the claims a test or a developer chooses, signed by the stand-in with the
 * keys of the authority kind it is shaped for: what `startLocalEntra().token()`, the
 * stand-in's dev-only `/_standin/tokens` and `entra-dev token --authority/--user/--claim` share.
 */
export interface TokenOptions {
  /** The API's name in the registry, e.g. 'orders-api'. */
  readonly api: string;
  /** The client app's name in the registry (default 'writer' for app tokens, 'reader' for delegated ones). */
  readonly client?: string;
  /** 'app' (client_credentials, judged on roles; the default) or 'delegated' (a user through the client, judged on scp). */
  readonly kind?: 'app' | 'delegated';
  /** The `roles` claim; default the client's registered roles on the API (app), none (delegated). [] leaves the claim off. */
  readonly roles?: readonly string[];
  /** The `scp` claim, space-joined: required for delegated tokens; none on app tokens unless given. */
  readonly scopes?: readonly string[];
  /** Extra or replacing claims, applied last (`undefined` removes a claim; over HTTP, `null` does). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The kind of authority whose token this is: the stand-in's External ID tenant (the
   * registry's externalIdTenant; iss https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0,
   * served under /_ciam) or its B2C tenant (b2cTenant; iss
   * https://{name}.b2clogin.com/{tenant-id}/v2.0/, no tid, ver 1.0, tfp; under /_b2c);
   * default the workforce tenant. Each is a tenant of its own with keys of its own.
   */
  readonly authority?: StandinAuthorityKind;
  /** B2C: the user flow in tfp; default B2C_1_signupsignin. */
  readonly userFlow?: string;
  /** Seconds from now to `exp` (default 3599); negative gives a token that has already expired. */
  readonly lifetimeSeconds?: number;
  /** The token version (workforce only); default the API registration's requestedAccessTokenVersion. */
  readonly version?: IssuedTokenVersion;
  /** `nbf` and `iat`, seconds since the epoch; default now − 300 s as Entra back-dates (or an hour before exp when exp is earlier). */
  readonly notBefore?: number;
  /** For delegated tokens: the user's object ID (`oid`; `sub` is derived from it and the client, pairwise as in Entra); default TEST_USER's. */
  readonly userObjectId?: string;
}

/** A fixed test user for delegated tokens. */
export const TEST_USER = Object.freeze({
  objectId: 'de700000-0000-4000-8000-000000100001',
  name: 'Test User',
  upn: 'test.user@entra-standin-dev.onmicrosoft.com',
});

export const DEFAULT_USER_FLOW = 'B2C_1_signupsignin';

/** Whether the token endpoint itself can issue it: a registered client's plain app-only workforce token. */
export function isPlainRequest(request: TokenOptions): boolean {
  return (
    (request.kind ?? 'app') === 'app' &&
    (request.authority ?? 'workforce') === 'workforce' &&
    [request.roles, request.scopes, request.claims, request.lifetimeSeconds, request.version, request.notBefore, request.userObjectId].every((value) => value === undefined)
  );
}
