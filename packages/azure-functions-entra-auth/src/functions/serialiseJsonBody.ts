import type { HttpResponse, HttpResponseInit } from '@azure/functions';

/** Statuses that carry no body; @azure/functions drops a jsonBody on them too. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * A handler's answer with its `jsonBody` already serialised into `body` (and
 * `content-type: application/json` unless the handler chose one). @azure/functions
 * would serialise it after withAuth returned, outside its error handling, so a value
 * JSON.stringify throws on (a cycle, a BigInt, nesting deep enough to overflow the
 * stack) escaped as the host's bare 500. Done here, it throws inside withAuth's
 * protection and becomes the logged internal_error answer. An HttpResponse built by
 * the handler serialised its body when it was constructed, inside the handler.
 */
export function serialiseJsonBody(answer: HttpResponseInit | HttpResponse): HttpResponseInit | HttpResponse {
  if (!isPlainInit(answer) || answer.jsonBody === undefined || answer.jsonBody === null) return answer;
  const rest: HttpResponseInit = { ...answer };
  delete rest.jsonBody;
  if (answer.status !== undefined && NULL_BODY_STATUSES.has(answer.status)) return rest;
  const body: unknown = JSON.stringify(answer.jsonBody);
  const headers = new Headers(answer.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  // A browser must not sniff a JSON answer into HTML or script, whichever handler wrote it.
  if (!headers.has('x-content-type-options')) headers.set('x-content-type-options', 'nosniff');
  return typeof body === 'string' ? { ...rest, headers, body } : { ...rest, headers };
}

function isPlainInit(answer: HttpResponseInit | HttpResponse): answer is HttpResponseInit {
  // HttpResponse exposes `body` as a getter on its prototype; a plain init is an object literal.
  return Object.getPrototypeOf(answer) === Object.prototype || Object.getPrototypeOf(answer) === null;
}
