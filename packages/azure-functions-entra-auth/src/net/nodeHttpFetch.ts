import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { FetchedBody, FetchedResponse, FetchLike } from './fetchJson';

export interface NodeHttpFetchOptions {
  /** PEM the TLS connection trusts instead of the default roots (a local stand-in's CA). */
  readonly ca?: string;
}

/**
 * GETs over node:http and node:https, for the Entra metadata and key fetches: the
 * same FetchLike contract as fetch for what fetchJson uses (status, headers, a
 * streaming body, redirects returned not followed, the signal aborting the whole
 * exchange), without loading fetch's implementation. That load is a cold-start cost
 * in the path of the first request, which `npm run bench` (cold start) shows.
 * TLS trusts the default roots plus NODE_EXTRA_CA_CERTS, as fetch does, or only
 * `ca` when given. No keep-alive: keys are fetched about once a day.
 */
export function createNodeHttpFetch(options: NodeHttpFetchOptions = {}): FetchLike {
  const http = new HttpAgent({ keepAlive: false });
  const https = new HttpsAgent({ keepAlive: false, ...(options.ca !== undefined && { ca: options.ca }) });
  return (input, init) =>
    new Promise<FetchedResponse>((resolve, reject) => {
      const url = new URL(input);
      const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
      if (!send) throw new TypeError(`createNodeHttpFetch serves http and https URLs only, not ${url.protocol}`);
      if ((init.method ?? 'GET') !== 'GET' || (init.body !== undefined && init.body !== null)) {
        throw new TypeError('createNodeHttpFetch sends GET requests without a body only');
      }
      const request: RequestOptions = { method: 'GET', headers: plainHeaders(init.headers), agent: url.protocol === 'https:' ? https : http };
      if (init.signal) request.signal = init.signal;
      const outgoing = send(url, request, (response) => {
        resolve(fetchedResponse(response));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
}

function fetchedResponse(response: IncomingMessage): FetchedResponse {
  const status = response.statusCode ?? 0;
  const nullBody = status === 204 || status === 205 || status === 304;
  if (nullBody) response.resume();
  const body: FetchedBody = {
    [Symbol.asyncIterator]: () => response[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>,
    cancel: () => {
      response.destroy();
      return Promise.resolve();
    },
  };
  return {
    status,
    headers: {
      get(name) {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body: nullBody ? null : body,
  };
}

/** Request headers as a plain record; fetchJson passes one. A Headers object would load fetch's implementation. */
function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers.map(([name, value]) => [name, value] as [string, string]));
  if (typeof (headers as { entries?: unknown }).entries === 'function') throw new TypeError('createNodeHttpFetch takes request headers as a plain object');
  return { ...(headers as Record<string, string>) };
}
