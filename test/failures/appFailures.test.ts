import { answerFailure, Refusal, type Failure, type RequestSite, type TokenFacts } from 'azure-functions-entra-auth';
import { APP_FAILURES, type AppFailureCode } from '../../lib/failures/appFailures';

/**
 * The app's own failure codes (lib/failures/appFailures.ts), each answered by the auth
 * package's one answer function: status, headers and problem body in the same shape as
 * every auth refusal. The expectations are written out here, not read from the table.
 */

const SITE: RequestSite = { method: 'GET', route: 'orders/{id}', functionName: 'order', invocationId: '0b6c3d6e-5f0a-4c1b-9d2e-3f4a5b6c7d8e' };
const FACTS: TokenFacts = {};

interface Row {
  readonly failure: () => Failure;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;
}

const plain = (failure: () => Failure, status: number, title: string, detail: string, more: Partial<Row> = {}): Row => ({ failure, status, title, detail, ...more });

const ROWS = {
  store_unavailable: plain(() => new Refusal(APP_FAILURES.store_unavailable, 'orders.store', 'table service timed out', { retryAfterSeconds: 2.2 }), 503, 'Service Unavailable', 'The order store is not answering; retry shortly.', {
    headers: { 'retry-after': '3' },
  }),
  precondition_required: plain(() => new Refusal(APP_FAILURES.precondition_required, 'orders.if_match', 'PUT without If-Match'), 428, 'Precondition Required', 'Send If-Match with the ETag from GET /api/orders/{id}: orders are replaced only if unchanged since read.'),
  precondition_failed: plain(() => new Refusal(APP_FAILURES.precondition_failed, 'orders.if_match', 'ETag mismatch'), 412, 'Precondition Failed', 'The order changed since the ETag you sent: read it again and retry with the new ETag.'),
  invalid_continuation: plain(() => new Refusal(APP_FAILURES.invalid_continuation, 'orders.continuation', 'continuation not ours'), 400, 'Bad Request', 'Field continuation: not a continuation this API issued to your tenant; start again without it.'),
  invalid_parameter: plain(() => new Refusal(APP_FAILURES.invalid_parameter, 'handler', 'id is not a GUID', { problem: { field: 'id' }, description: 'Field id: must be an order ID (a GUID).' }), 400, 'Bad Request', 'Field id: must be an order ID (a GUID).', {
    extra: { field: 'id' },
  }),
  invalid_json: plain(() => new Refusal(APP_FAILURES.invalid_json, 'handler', 'JSON.parse failed'), 400, 'Bad Request', 'The body is not valid JSON.'),
  invalid_body: plain(() => new Refusal(APP_FAILURES.invalid_body, 'handler', 'schema refused the body'), 400, 'Bad Request', 'The body does not match the expected fields.'),
  unsupported_media_type: plain(() => new Refusal(APP_FAILURES.unsupported_media_type, 'handler', 'text/plain'), 415, 'Unsupported Media Type', 'Send the body as application/json.'),
  body_too_large: plain(() => new Refusal(APP_FAILURES.body_too_large, 'handler', '70 000 bytes'), 413, 'Content Too Large', 'The body is too large.'),
  order_not_found: plain(() => new Refusal(APP_FAILURES.order_not_found, 'orders.lookup', 'no such order in the tenant'), 404, 'Not Found', 'No such order.'),
  backend_not_configured: plain(() => new Refusal(APP_FAILURES.backend_not_configured, 'fulfilment.config', 'FULFILMENT_URL is not set'), 503, 'Service Unavailable', 'Order fulfilment is not configured on this deployment.'),
  backend_error: plain(() => new Refusal(APP_FAILURES.backend_error, 'fulfilment.answer', 'backend answered HTTP 401', { problem: { backendStatus: 401 } }), 502, 'Bad Gateway', 'The fulfilment service refused or failed the request.', {
    extra: { backendStatus: 401 },
  }),
  backend_unreachable: plain(() => new Refusal(APP_FAILURES.backend_unreachable, 'fulfilment.call', 'ECONNREFUSED'), 502, 'Bad Gateway', 'The fulfilment service could not be reached; retry later.'),
  backend_timeout: plain(() => new Refusal(APP_FAILURES.backend_timeout, 'fulfilment.call', 'no answer in 5 s'), 502, 'Bad Gateway', 'The fulfilment service did not answer in time; retry later.'),
  backend_redirect: plain(() => new Refusal(APP_FAILURES.backend_redirect, 'fulfilment.call', '302 to elsewhere'), 502, 'Bad Gateway', 'The fulfilment service answered with a redirect, which is never followed.'),
  backend_response_too_large: plain(() => new Refusal(APP_FAILURES.backend_response_too_large, 'fulfilment.call', 'over 1 MiB'), 502, 'Bad Gateway', 'The fulfilment service answered with more than this API accepts.'),
  signing_unavailable: plain(() => new Refusal(APP_FAILURES.signing_unavailable, 'signing.assertion', 'vault unavailable', { retryAfterSeconds: 5 }), 503, 'Service Unavailable', 'The service cannot vouch for the caller right now; retry shortly.', {
    headers: { 'retry-after': '5' },
  }),
  signing_keys_unavailable: plain(() => new Refusal(APP_FAILURES.signing_keys_unavailable, 'signing.keys', 'no key set loaded yet', { retryAfterSeconds: 1 }), 503, 'Service Unavailable', 'The signing keys are temporarily unavailable; retry shortly.', {
    headers: { 'retry-after': '1' },
  }),
  revocation_not_found: plain(() => new Refusal(APP_FAILURES.revocation_not_found, 'revocations.lookup', 'no such rule'), 404, 'Not Found', 'No such revocation rule.'),
  revocation_forbidden: plain(() => new Refusal(APP_FAILURES.revocation_forbidden, 'revocations.tenant', 'rule names another tenant'), 403, 'Forbidden', 'A revocation rule may name only your own tenant.'),
  revocation_store_unavailable: plain(() => new Refusal(APP_FAILURES.revocation_store_unavailable, 'revocations.store', 'table unreachable', { retryAfterSeconds: 5 }), 503, 'Service Unavailable', 'The revocation store is not answering; retry shortly.', {
    headers: { 'retry-after': '5' },
  }),
} satisfies Record<AppFailureCode, Row>;

describe('answerFailure, for every app failure code', () => {
  it('has a row here for every code of the app, and no other', () => {
    expect(Object.keys(ROWS).sort()).toEqual(Object.keys(APP_FAILURES).sort());
  });

  it.each(Object.entries(ROWS) as [AppFailureCode, Row][])('%s', (code, row) => {
    const failure = row.failure();
    expect(failure.code).toBe(code);
    const { response, event } = answerFailure(failure, SITE);
    expect(response.status).toBe(row.status);
    expect(response.headers).toEqual({ 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...row.headers });
    expect(response.jsonBody).toEqual({ type: 'about:blank', title: row.title, status: row.status, code, detail: row.detail, invocationId: SITE.invocationId, ...row.extra });
    expect(event).toEqual({ code, check: failure.check, status: row.status, ...SITE, ...FACTS, message: failure.message });
  });
});
