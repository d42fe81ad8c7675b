import { BodyTooLargeError, readCappedBody } from './readCappedBody';

/** A response body as it streams; `cancel` stops reading and frees the connection. fetch's ReadableStream is one. */
export interface FetchedBody extends AsyncIterable<Uint8Array> {
  cancel(): Promise<void>;
}

/** What is read of a response: fetch's Response has this shape, and so does nodeHttpFetch's. */
export interface FetchedResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: FetchedBody | null;
}

/** The subset of `fetch` this project uses; inject one in tests or to add a proxy. */
export type FetchLike = (input: string, init: RequestInit) => Promise<FetchedResponse>;

export interface FetchJsonOptions {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Same-origin redirects followed at most this many times; cross-origin ones are always refused. */
  readonly maxRedirects?: number;
}

export type FetchJsonFailure = 'timeout' | 'network' | 'tls' | 'status' | 'redirect' | 'content_type' | 'too_large' | 'json';

export class FetchJsonError extends Error {
  constructor(
    readonly reason: FetchJsonFailure,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`GET ${url}: ${message}`, options);
    this.name = 'FetchJsonError';
  }
}

/**
 * GETs a JSON document from a metadata or key endpoint, defensively: one deadline
 * for the whole exchange, no redirects to another origin, a cap on the body read
 * (counted while streaming, whatever Content-Length says), and a JSON content type.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const origin = new URL(url).origin;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    let response: FetchedResponse;
    try {
      response = await options.fetch(current, { redirect: 'manual', signal, headers: { accept: 'application/json' } });
    } catch (cause) {
      throw failure(signal, current, cause);
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      const next = location === null ? undefined : new URL(location, current);
      if (next?.origin !== origin) {
        throw new FetchJsonError('redirect', url, `redirect to ${next?.origin ?? 'nowhere'} refused: only ${origin} is trusted`);
      }
      if (redirects >= (options.maxRedirects ?? 2)) throw new FetchJsonError('redirect', url, 'too many redirects');
      current = next.href;
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new FetchJsonError('status', current, `HTTP ${response.status}`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(type)) {
      await response.body?.cancel();
      throw new FetchJsonError('content_type', current, `content type ${JSON.stringify(type.slice(0, 64))} is not JSON`);
    }
    const text = await readCapped(response, options.maxBytes, signal, current);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new FetchJsonError('json', current, 'body is not valid JSON', { cause });
    }
  }
}

async function readCapped(response: FetchedResponse, maxBytes: number, signal: AbortSignal, url: string): Promise<string> {
  try {
    return (await readCappedBody(response, maxBytes)).toString('utf8');
  } catch (cause) {
    if (cause instanceof BodyTooLargeError) throw new FetchJsonError('too_large', url, cause.message);
    throw failure(signal, url, cause);
  }
}

function failure(signal: AbortSignal, url: string, cause: unknown): FetchJsonError {
  if (signal.aborted) return new FetchJsonError('timeout', url, 'timed out', { cause });
  const tls = tlsProblem(cause);
  if (tls) return new FetchJsonError('tls', url, `TLS certificate problem: ${tls}`, { cause });
  return new FetchJsonError('network', url, cause instanceof Error ? cause.message : 'request failed', { cause });
}

// Certificate verification failures (OpenSSL's codes, Node's ERR_TLS_CERT_*), as fetch (undici) nests them
// under "fetch failed". Other TLS failures (a plain-http server, a handshake timeout) stay network errors.
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** "CODE (message)" of the first TLS error in the cause chain, if there is one (errors from another realm included). */
function tlsProblem(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && TLS_CODE.test(code)) return `${code} (${typeof message === 'string' ? message : 'no message'})`;
    current = cause;
  }
  return undefined;
}
