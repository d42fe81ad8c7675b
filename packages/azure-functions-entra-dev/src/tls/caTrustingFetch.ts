import { Agent, request, type RequestOptions } from 'node:https';
import { Readable } from 'node:stream';

/** `fetch`'s shape, with `init` optional: what the dev tools and tests call the stand-ins with. */
export type CaTrustingFetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch over node:https that trusts `caPem` (and only it), for dev tools and tests
 * talking to the local stand-ins whatever NODE_EXTRA_CA_CERTS says: token requests
 * (POST) and any call that wants a real Response. The app's own key fetch is
 * the auth package's createNodeHttpFetch, which trusts AUTH_INSTANCE_CA_FILE the same way.
 * Redirects are returned, not followed (callers here use `manual`). The response body
 * streams, so fetchJson's byte cap and deadline apply while it arrives. Request bodies:
 * strings and URLSearchParams, which is all a token or metadata request needs.
 */
export function createCaTrustingFetch(caPem: string): CaTrustingFetch {
  // No keep-alive: a dev server can stop between two calls without stale sockets.
  const agent = new Agent({ ca: caPem, keepAlive: false });
  return async (input, init = {}) => {
    const url = new URL(input);
    if (url.protocol !== 'https:') throw new TypeError(`createCaTrustingFetch serves https URLs only, not ${url.protocol}`);
    const body = requestBody(init.body);
    const headers = new Headers(init.headers);
    if (body !== undefined && init.body instanceof URLSearchParams && !headers.has('content-type')) {
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    }
    const options: RequestOptions = { method: init.method ?? 'GET', headers: Object.fromEntries(headers), agent };
    if (init.signal) options.signal = init.signal;
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, options, (res) => {
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
        const status = res.statusCode ?? 500;
        const nullBody = status === 204 || status === 205 || status === 304;
        if (nullBody) res.resume();
        const body = nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}

function requestBody(body: RequestInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('createCaTrustingFetch sends string or URLSearchParams bodies only');
}
