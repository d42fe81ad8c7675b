/**
 * Every code this API refuses a request with, and what each means on the wire. The
 * codes are stable: clients branch on them and telemetry counts them. A new code
 * is added to a list here, and the compiler then asks for its status (below) and
 * its client-facing detail (lib/http/clientDetails.ts).
 */

/** Why the verifier refused a token. All are 401 `invalid_token`, except keys_unavailable (503). */
export const TOKEN_FAILURE_CODES = [
  'token_malformed',
  'claim_invalid',
  'alg_not_allowed',
  'header_not_allowed',
  'signature_invalid',
  'key_not_found',
  'keys_unavailable',
  'token_expired',
  'token_not_yet_valid',
  'audience_mismatch',
  'issuer_mismatch',
  'tenant_not_allowed',
  'client_app_not_allowed',
  'token_version_not_allowed',
  'not_access_token',
] as const;
export type TokenFailureCode = (typeof TOKEN_FAILURE_CODES)[number];

/** withAuth's own refusals: how the token was sent, the route's policy, and its own faults. */
export const REQUEST_FAILURE_CODES = ['token_missing', 'invalid_request', 'insufficient_scope', 'tenant_mismatch', 'method_not_allowed', 'internal_error'] as const;
export type RequestFailureCode = (typeof REQUEST_FAILURE_CODES)[number];

/** The Orders API's answers: its store's concurrency rules and its input validation. */
export const ORDERS_FAILURE_CODES = [
  'store_unavailable',
  'precondition_required',
  'precondition_failed',
  'invalid_continuation',
  'invalid_parameter',
  'invalid_json',
  'invalid_body',
  'unsupported_media_type',
  'body_too_large',
  'order_not_found',
] as const;
export type OrdersFailureCode = (typeof ORDERS_FAILURE_CODES)[number];

/** Calling the fulfilment backend with an identity assertion, and publishing the assertion keys. */
export const BACKEND_FAILURE_CODES = [
  'backend_not_configured',
  'backend_error',
  'backend_unreachable',
  'backend_timeout',
  'backend_redirect',
  'backend_response_too_large',
  'signing_unavailable',
  'signing_keys_unavailable',
] as const;
export type BackendFailureCode = (typeof BACKEND_FAILURE_CODES)[number];

export type FailureCode = TokenFailureCode | RequestFailureCode | OrdersFailureCode | BackendFailureCode;

export const FAILURE_CODES: readonly FailureCode[] = Object.freeze([...TOKEN_FAILURE_CODES, ...REQUEST_FAILURE_CODES, ...ORDERS_FAILURE_CODES, ...BACKEND_FAILURE_CODES]);

/**
 * The `WWW-Authenticate` a refusal carries (RFC 6750 §3): `bare` is a challenge
 * without an error (no credentials were sent), `none` means no challenge at all.
 */
export type Challenge = 'bare' | 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'none';

export interface FailureHttp {
  readonly status: 400 | 401 | 403 | 404 | 405 | 412 | 413 | 415 | 428 | 500 | 502 | 503;
  readonly challenge: Challenge;
  /** Whether the answer carries `Retry-After` (a passing outage, not the caller's fault). */
  readonly retryable?: true;
}

const invalidToken: FailureHttp = { status: 401, challenge: 'invalid_token' };

export const FAILURE_HTTP: Readonly<Record<FailureCode, FailureHttp>> = Object.freeze({
  token_malformed: invalidToken,
  claim_invalid: invalidToken,
  alg_not_allowed: invalidToken,
  header_not_allowed: invalidToken,
  signature_invalid: invalidToken,
  key_not_found: invalidToken,
  token_expired: invalidToken,
  token_not_yet_valid: invalidToken,
  audience_mismatch: invalidToken,
  issuer_mismatch: invalidToken,
  tenant_not_allowed: invalidToken,
  client_app_not_allowed: invalidToken,
  token_version_not_allowed: invalidToken,
  not_access_token: invalidToken,
  keys_unavailable: { status: 503, challenge: 'none', retryable: true },
  token_missing: { status: 401, challenge: 'bare' },
  invalid_request: { status: 400, challenge: 'invalid_request' },
  insufficient_scope: { status: 403, challenge: 'insufficient_scope' },
  // The token is fine; it is the route's tenant that does not match it.
  tenant_mismatch: { status: 403, challenge: 'none' },
  method_not_allowed: { status: 405, challenge: 'none' },
  internal_error: { status: 500, challenge: 'none' },
  store_unavailable: { status: 503, challenge: 'none', retryable: true },
  precondition_required: { status: 428, challenge: 'none' },
  precondition_failed: { status: 412, challenge: 'none' },
  invalid_continuation: { status: 400, challenge: 'none' },
  invalid_parameter: { status: 400, challenge: 'none' },
  invalid_json: { status: 400, challenge: 'none' },
  invalid_body: { status: 400, challenge: 'none' },
  unsupported_media_type: { status: 415, challenge: 'none' },
  body_too_large: { status: 413, challenge: 'none' },
  order_not_found: { status: 404, challenge: 'none' },
  // A deployment without FULFILMENT_URL: retrying will not help, so no Retry-After.
  backend_not_configured: { status: 503, challenge: 'none' },
  backend_error: { status: 502, challenge: 'none' },
  backend_unreachable: { status: 502, challenge: 'none' },
  backend_timeout: { status: 502, challenge: 'none' },
  backend_redirect: { status: 502, challenge: 'none' },
  backend_response_too_large: { status: 502, challenge: 'none' },
  signing_unavailable: { status: 503, challenge: 'none', retryable: true },
  signing_keys_unavailable: { status: 503, challenge: 'none', retryable: true },
} satisfies Record<FailureCode, FailureHttp>);
