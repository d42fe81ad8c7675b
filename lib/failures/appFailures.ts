import { defineFailures } from 'azure-functions-entra-auth/errors';

/**
 * This app's own failure codes, beside the auth package's token and request codes:
 * the one file to touch to add one. Each says its status, challenge (none: these are
 * not about the token) and the fixed text a caller reads; answers take the package's
 * RFC 9457 shape through the same answerFailure.
 */
export const APP_FAILURES = defineFailures({
  // The Orders API: its store, its concurrency rules and its input.
  store_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'The order store is not answering; retry shortly.' },
  precondition_required: {
    status: 428,
    challenge: 'none',
    detail: 'Send If-Match with the ETag from GET /api/orders/{id}: orders are replaced only if unchanged since read.',
  },
  precondition_failed: { status: 412, challenge: 'none', detail: 'The order changed since the ETag you sent: read it again and retry with the new ETag.' },
  invalid_continuation: {
    status: 400,
    challenge: 'none',
    detail: 'Field continuation: not a continuation this API issued to your tenant; start again without it.',
  },
  invalid_parameter: { status: 400, challenge: 'none', detail: 'A route or query parameter is invalid.' },
  invalid_json: { status: 400, challenge: 'none', detail: 'The body is not valid JSON.' },
  invalid_body: { status: 400, challenge: 'none', detail: 'The body does not match the expected fields.' },
  unsupported_media_type: { status: 415, challenge: 'none', detail: 'Send the body as application/json.' },
  body_too_large: { status: 413, challenge: 'none', detail: 'The body is too large.' },
  order_not_found: { status: 404, challenge: 'none', detail: 'No such order.' },
  // Calling the fulfilment backend with an identity assertion, and publishing the assertion keys.
  // A deployment without FULFILMENT_URL: retrying will not help, so no Retry-After.
  backend_not_configured: { status: 503, challenge: 'none', detail: 'Order fulfilment is not configured on this deployment.' },
  backend_error: { status: 502, challenge: 'none', detail: 'The fulfilment service refused or failed the request.' },
  backend_unreachable: { status: 502, challenge: 'none', detail: 'The fulfilment service could not be reached; retry later.' },
  backend_timeout: { status: 502, challenge: 'none', detail: 'The fulfilment service did not answer in time; retry later.' },
  backend_redirect: { status: 502, challenge: 'none', detail: 'The fulfilment service answered with a redirect, which is never followed.' },
  backend_response_too_large: { status: 502, challenge: 'none', detail: 'The fulfilment service answered with more than this API accepts.' },
  signing_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'The service cannot vouch for the caller right now; retry shortly.' },
  // The deny list's admin API (manage/revocations).
  revocation_not_found: { status: 404, challenge: 'none', detail: 'No such revocation rule.' },
  revocation_forbidden: { status: 403, challenge: 'none', detail: 'A revocation rule may name only your own tenant.' },
  revocation_store_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'The revocation store is not answering; retry shortly.' },
  signing_keys_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'The signing keys are temporarily unavailable; retry shortly.' },
});
export type AppFailureCode = keyof typeof APP_FAILURES;

/** The checks this app's refusals name (telemetry dimensions: existing names never change). */
export const APP_CHECKS = [
  'orders.store',
  'orders.if_match',
  'orders.continuation',
  'orders.top',
  'orders.id',
  'orders.body',
  'orders.lookup',
  'fulfilment.config',
  'fulfilment.call',
  'fulfilment.answer',
  'signing.assertion',
  'signing.keys',
  'revocations.id',
  'revocations.body',
  'revocations.lookup',
  'revocations.tenant',
  'revocations.store',
] as const;
export type AppCheck = (typeof APP_CHECKS)[number];
