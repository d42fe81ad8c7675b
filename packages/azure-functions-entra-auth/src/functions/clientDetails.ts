import type { FailureCode } from '../errors/failureCodes';

/**
 * The fixed text a caller sees for each failure code: enough to fix their request,
 * nothing copied from it. The exact check and the cause go to telemetry only.
 * A code without a detail does not compile.
 */
const DETAILS = {
  token_missing: 'This API requires an access token in the Authorization header (Bearer).',
  invalid_request: 'The request does not carry its access token as RFC 6750 requires.',
  token_malformed: 'The access token is not a well-formed signed JWT.',
  claim_invalid: 'The access token has a missing or malformed claim.',
  alg_not_allowed: 'The access token is signed with an algorithm this API does not accept.',
  header_not_allowed: 'The access token carries a header this API does not accept.',
  signature_invalid: 'The access token signature is invalid.',
  key_not_found: 'The access token is signed with a key the tenant does not publish.',
  token_expired: 'The access token has expired; request a new one.',
  token_not_yet_valid: 'The access token is not valid yet; check the client clock.',
  audience_mismatch: 'The access token was issued for a different API; request a token for this API.',
  issuer_mismatch: 'The access token was not issued by the expected authority.',
  tenant_not_allowed: 'Tokens from this tenant are not accepted by this API.',
  client_app_not_allowed: 'The calling application is not allowed to use this API.',
  token_version_not_allowed: 'This access token version is not accepted by this API.',
  not_access_token: 'The token is not an access token for an API (an ID token, for instance).',
  keys_unavailable: 'Token signing keys are temporarily unavailable; retry shortly.',
  insufficient_scope: 'The access token lacks the permission this operation requires.',
  tenant_mismatch: 'The access token tenant does not match the tenant in the request.',
  method_not_allowed: 'This method is not available on this resource.',
  internal_error: 'The request failed; quote the invocation ID to support.',
  store_unavailable: 'The order store is not answering; retry shortly.',
  precondition_required: 'Send If-Match with the ETag from GET /api/orders/{id}: orders are replaced only if unchanged since read.',
  precondition_failed: 'The order changed since the ETag you sent: read it again and retry with the new ETag.',
  invalid_continuation: 'Field continuation: not a continuation this API issued to your tenant; start again without it.',
  invalid_parameter: 'A route or query parameter is invalid.',
  invalid_json: 'The body is not valid JSON.',
  invalid_body: 'The body does not match the expected fields.',
  unsupported_media_type: 'Send the body as application/json.',
  body_too_large: 'The body is too large.',
  order_not_found: 'No such order.',
  backend_not_configured: 'Order fulfilment is not configured on this deployment.',
  backend_error: 'The fulfilment service refused or failed the request.',
  backend_unreachable: 'The fulfilment service could not be reached; retry later.',
  backend_timeout: 'The fulfilment service did not answer in time; retry later.',
  backend_redirect: 'The fulfilment service answered with a redirect, which is never followed.',
  backend_response_too_large: 'The fulfilment service answered with more than this API accepts.',
  signing_unavailable: 'The service cannot vouch for the caller right now; retry shortly.',
  signing_keys_unavailable: 'The signing keys are temporarily unavailable; retry shortly.',
} as const satisfies Record<FailureCode, string>;

/** The insufficient_scope detail for an app-only token that carries no app role at all. */
export const NO_APP_ROLE_DETAIL =
  'The calling app holds no app role for this API; an administrator must assign it one of the app roles this API defines.';

export function clientDetail(code: FailureCode): string {
  return DETAILS[code];
}
