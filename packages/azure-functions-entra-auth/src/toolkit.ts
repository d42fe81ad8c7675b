/**
 * azure-functions-entra-auth/toolkit: two building blocks the package is made of,
 * for an app's own outbound calls: a single-flight refreshing value that serves the
 * last good value while its source fails (the Entra key sets use it), and a body
 * reader that stops at a byte limit.
 */
export { ColdLoadError, RefreshingValue, type RefreshReason, type RefreshingValueOptions } from './cache/refreshingValue';
export { BodyTooLargeError, readCappedBody } from './net/readCappedBody';
export type { FetchedBody, FetchedResponse, FetchLike } from './net/fetchJson';
