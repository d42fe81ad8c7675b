import type { HttpResponseInit } from '@azure/functions';

/**
 * An RFC 9457 problem response. `code` is stable and machine-readable; `detail` is
 * fixed text chosen by the caller of this function, never echoed input; the
 * invocation ID lets a caller quote the failure to support without sharing a token.
 */
export function problemResponse(
  status: number,
  code: string,
  detail: string,
  invocationId: string,
  options: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): HttpResponseInit {
  return {
    status,
    // nosniff: a browser must not read a JSON answer as anything else (HTML, script).
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...options.headers },
    jsonBody: { type: 'about:blank', title: STATUS_TITLES[status] ?? 'Error', status, code, detail, invocationId, ...options.extra },
  };
}

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};
