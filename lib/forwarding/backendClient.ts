import type { Principal } from 'azure-functions-entra-auth';
import type { FetchedResponse, FetchLike } from 'azure-functions-entra-auth';
import type { AssertionIssuer } from '../signing/identityAssertion';
import { outgoingHeaders } from './outgoingHeaders';
import { BodyTooLargeError, readCappedBody } from 'azure-functions-entra-auth/toolkit';

export type BackendFailure = 'backend_unreachable' | 'backend_timeout' | 'backend_redirect' | 'backend_response_too_large';

/** The backend could not be called, or answered in a way that is never passed on. */
export class BackendCallError extends Error {
  constructor(
    readonly code: BackendFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackendCallError';
  }
}

export interface BackendResponse {
  readonly status: number;
  /** The JSON body, when the backend sent JSON; undefined otherwise. */
  readonly body: unknown;
}

export interface BackendClientOptions {
  /** The URL called (POST). */
  readonly url: string;
  /** The `aud` of the assertions sent. */
  readonly audience: string;
  readonly assertions: AssertionIssuer;
  readonly fetch: FetchLike;
  /** One deadline for the whole exchange. */
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
  /** Incoming headers passed on (credentials never are); default: trace context. */
  readonly forwardedHeaders?: readonly string[];
}

/** A backend that is called with a signed identity assertion instead of the caller's token. */
export interface BackendClient {
  readonly url: string;
  readonly audience: string;
  /**
   * POSTs `body` as JSON on behalf of `principal`. Throws SigningUnavailableError
   * (no assertion could be signed) or BackendCallError; any HTTP status is returned.
   */
  post(principal: Principal, body: unknown, incoming?: Headers): Promise<BackendResponse>;
}

export function createBackendClient(options: BackendClientOptions): BackendClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  return {
    url: options.url,
    audience: options.audience,
    async post(principal, body, incoming) {
      const assertion = await options.assertions.issue(principal, options.audience);
      const headers = outgoingHeaders(assertion, incoming, options.forwardedHeaders);
      headers.set('content-type', 'application/json');
      const signal = AbortSignal.timeout(timeoutMs);
      let response: FetchedResponse;
      try {
        // Redirects are not followed: the assertion is for this backend only.
        response = await options.fetch(options.url, { method: 'POST', headers, body: JSON.stringify(body), redirect: 'manual', signal });
      } catch (cause) {
        throw signal.aborted
          ? new BackendCallError('backend_timeout', `POST ${options.url}: no answer within ${timeoutMs} ms`, { cause })
          : new BackendCallError('backend_unreachable', `POST ${options.url}: ${cause instanceof Error ? cause.message : 'request failed'}`, { cause });
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        throw new BackendCallError('backend_redirect', `POST ${options.url}: redirect (HTTP ${response.status}) refused`);
      }
      return { status: response.status, body: await readJson(response, maxBytes, signal, options.url) };
    },
  };
}

async function readJson(response: FetchedResponse, maxBytes: number, signal: AbortSignal, url: string): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type) || !response.body) {
    await response.body?.cancel();
    return undefined;
  }
  let bytes: Buffer;
  try {
    bytes = await readCappedBody(response, maxBytes);
  } catch (cause) {
    if (cause instanceof BodyTooLargeError) throw new BackendCallError('backend_response_too_large', `POST ${url}: response exceeds ${maxBytes} bytes`);
    throw signal.aborted
      ? new BackendCallError('backend_timeout', `POST ${url}: response not read in time`, { cause })
      : new BackendCallError('backend_unreachable', `POST ${url}: response broken off`, { cause });
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
