/**
 * azure-functions-entra-auth/toolkit: building blocks the package is made of,
 * for an app's own outbound calls: a single-flight refreshing value that serves the
 * last good value while its source fails (the Entra key sets use it), a body reader
 * that stops at a byte limit, and the strict JSON parse tokens get (no duplicate
 * member, bounded depth), for request bodies.
 */
export { ColdLoadError, RefreshingValue, type RefreshReason, type RefreshingValueOptions } from './cache/refreshingValue';
export { BodyTooLargeError, readCappedBody } from './net/readCappedBody';
export { MAX_JSON_DEPTH, parseStrictJson } from './jwt/strictJson';
export type { FetchedBody, FetchedResponse, FetchLike } from './net/fetchJson';
