import { defineFailures } from './failureDefinition';

/**
 * The package's own failure codes and what each means on the wire. They are stable:
 * clients branch on them and telemetry counts them. An app's codes are defined in the
 * app, with the same `defineFailures` (see README, "Your own failure codes").
 */

const invalidToken = { status: 401, challenge: 'invalid_token' } as const;

/** Why the verifier refused a token. All are 401 `invalid_token`, except keys_unavailable (503). */
export const TOKEN_FAILURES = defineFailures({
  token_malformed: { ...invalidToken, detail: 'The access token is not a well-formed signed JWT.' },
  claim_invalid: { ...invalidToken, detail: 'The access token has a missing or malformed claim.' },
  alg_not_allowed: { ...invalidToken, detail: 'The access token is signed with an algorithm this API does not accept.' },
  header_not_allowed: { ...invalidToken, detail: 'The access token carries a header this API does not accept.' },
  signature_invalid: { ...invalidToken, detail: 'The access token signature is invalid.' },
  key_not_found: { ...invalidToken, detail: 'The access token is signed with a key the tenant does not publish.' },
  keys_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'Token signing keys are temporarily unavailable; retry shortly.' },
  token_expired: { ...invalidToken, detail: 'The access token has expired; request a new one.' },
  token_not_yet_valid: { ...invalidToken, detail: 'The access token is not valid yet; check the client clock.' },
  audience_mismatch: { ...invalidToken, detail: 'The access token was issued for a different API; request a token for this API.' },
  issuer_mismatch: { ...invalidToken, detail: 'The access token was not issued by the expected authority.' },
  tenant_not_allowed: { ...invalidToken, detail: 'Tokens from this tenant are not accepted by this API.' },
  client_app_not_allowed: { ...invalidToken, detail: 'The calling application is not allowed to use this API.' },
  token_version_not_allowed: { ...invalidToken, detail: 'This access token version is not accepted by this API.' },
  not_access_token: { ...invalidToken, detail: 'The token is not an access token for an API (an ID token, for instance).' },
});
export type TokenFailureCode = keyof typeof TOKEN_FAILURES;
export const TOKEN_FAILURE_CODES = Object.freeze(Object.keys(TOKEN_FAILURES)) as readonly TokenFailureCode[];

/** The request's own refusals: how the token was sent, the route's policy, and faults of the app. */
export const REQUEST_FAILURES = defineFailures({
  token_missing: { status: 401, challenge: 'bare', detail: 'This API requires an access token in the Authorization header (Bearer).' },
  invalid_request: { status: 400, challenge: 'invalid_request', detail: 'The request does not carry its access token as RFC 6750 requires.' },
  insufficient_scope: { status: 403, challenge: 'insufficient_scope', detail: 'The access token lacks the permission this operation requires.' },
  // The token is fine; it is the route's tenant that does not match it.
  tenant_mismatch: { status: 403, challenge: 'none', detail: 'The access token tenant does not match the tenant in the request.' },
  // A valid token from an authority this operation does not accept (the customer API and the admin API differ).
  authority_not_accepted: { ...invalidToken, detail: 'Tokens from this authority are not accepted by this operation; sign in with the authority it serves.' },
  claim_required: { status: 403, challenge: 'insufficient_scope', detail: 'The access token lacks a claim value this operation requires.' },
  // Entra left the groups out (too many): "no groups" would be a wrong answer, so nothing is decided from them.
  groups_overage: {
    status: 403,
    challenge: 'none',
    detail: 'The access token carries a groups overage instead of the groups; this operation cannot decide on its groups.',
  },
  authentication_context_required: {
    status: 401,
    challenge: 'insufficient_claims',
    detail: 'This operation requires a stronger sign-in (an authentication context); request a token with the claims in the challenge.',
  },
  method_not_allowed: { status: 405, challenge: 'none', detail: 'This method is not available on this resource.' },
  internal_error: { status: 500, challenge: 'none', detail: 'The request failed; quote the invocation ID to support.' },
});
export type RequestFailureCode = keyof typeof REQUEST_FAILURES;
export const REQUEST_FAILURE_CODES = Object.freeze(Object.keys(REQUEST_FAILURES)) as readonly RequestFailureCode[];

/**
 * The deny list's refusals (azure-functions-entra-auth/revocation). The description of a
 * revoked token never says which rule matched: that would tell a thief what to route around.
 */
export const REVOCATION_FAILURES = defineFailures({
  token_revoked: { ...invalidToken, detail: 'The access token has been revoked; request a new one.' },
  revocation_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'Token revocation rules are temporarily unavailable; retry shortly.' },
});
export type RevocationFailureCode = keyof typeof REVOCATION_FAILURES;
export const REVOCATION_FAILURE_CODES = Object.freeze(Object.keys(REVOCATION_FAILURES)) as readonly RevocationFailureCode[];

/** Every code the package itself answers with. */
export type PackageFailureCode = TokenFailureCode | RequestFailureCode | RevocationFailureCode;

/** The insufficient_scope detail for an app-only token that carries no app role at all. */
export const NO_APP_ROLE_DETAIL =
  'The calling app holds no app role for this API; an administrator must assign it one of the app roles this API defines.';
