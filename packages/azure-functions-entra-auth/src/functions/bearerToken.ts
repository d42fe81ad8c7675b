import type { RequestCheck } from '../errors/checkNames';

/**
 * What token extraction reads of a request: an @azure/functions HttpRequest, or any
 * request with WHATWG `Headers` and `URLSearchParams` (node:http users build these).
 */
export interface BearerRequest {
  readonly headers: { get(name: string): string | null };
  readonly query: { has(name: string): boolean };
}

/** Why a request carries no usable bearer token, in RFC 6750's terms. */
export type TokenExtraction =
  | { readonly kind: 'token'; readonly token: string }
  /** No credentials for this scheme at all: answer with a bare challenge (§3.1). */
  | { readonly kind: 'absent' }
  /** Malformed or ambiguous: 400 invalid_request; `description` is fixed text for the body and the challenge. */
  | { readonly kind: 'invalid_request'; readonly check: RequestCheck; readonly description: string };

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: |$)/;

/**
 * Takes the access token from `Authorization: Bearer <token>` only. Tokens in the
 * query string (RFC 6750 §2.3) end up in logs and browser history, so they are
 * refused with an explanation rather than silently ignored.
 */
export function extractBearerToken(request: BearerRequest): TokenExtraction {
  const header = request.headers.get('authorization');
  const inQuery = request.query.has('access_token');
  if (header === null || header.trim() === '') {
    return inQuery
      ? { kind: 'invalid_request', check: 'request.query_token', description: 'Send the access token in the Authorization header, not the query string' }
      : { kind: 'absent' };
  }
  if (inQuery) {
    return { kind: 'invalid_request', check: 'request.multiple_methods', description: 'Send the access token once, in the Authorization header only' };
  }
  const value = header.trim();
  const scheme = SCHEME.exec(value)?.[1];
  if (scheme === undefined) {
    return { kind: 'invalid_request', check: 'header.authorization', description: 'The Authorization header is malformed' };
  }
  if (scheme.toLowerCase() !== 'bearer') {
    // Another scheme (Basic, a second Negotiate...) is an unsupported method: a bare challenge tells the client what is expected.
    return /(^|,)\s*bearer(\s|$)/i.test(value)
      ? { kind: 'invalid_request', check: 'header.multiple_credentials', description: 'Send exactly one credential, a Bearer token' }
      : { kind: 'absent' };
  }
  // Several Authorization headers arrive joined with ", ": two credentials.
  if (value.includes(',')) {
    return { kind: 'invalid_request', check: 'header.multiple_credentials', description: 'Send exactly one credential, a Bearer token' };
  }
  const token = BEARER.exec(value)?.[1];
  if (token === undefined) {
    return { kind: 'invalid_request', check: 'header.authorization', description: 'The Authorization header must be: Bearer <token>' };
  }
  return { kind: 'token', token };
}
