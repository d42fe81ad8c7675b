import type { IncomingMessage } from 'node:http';

/**
 * The request line and Host header of a request to the dev host, checked before
 * anything routes on them, so hostile input gets a 400 with a fixed reason (never a
 * 500, never the attacker's value echoed into a log).
 */
export type RequestTarget =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: string };

// A host name or IPv4 address, or a bracketed IPv6 literal, then an optional port: no credentials, spaces or paths.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** `fallbackHost` stands in for the Host header an HTTP/1.0 client may omit. */
export function parseRequestTarget(req: IncomingMessage, fallbackHost: string): RequestTarget {
  const host = req.headers.host ?? fallbackHost;
  if (!HOST.test(host)) return { ok: false, reason: 'invalid Host header' };
  const target = req.url ?? '';
  let url: URL;
  try {
    // Origin form (/path?query) as clients send it; absolute form (http://host/path) as proxies do.
    if (target.startsWith('/')) url = new URL(`http://${host}${target}`);
    else if (/^https?:\/\//i.test(target)) url = new URL(target);
    else return { ok: false, reason: 'unsupported request target' };
  } catch {
    return { ok: false, reason: 'unparsable request target' };
  }
  for (const segment of url.pathname.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      return { ok: false, reason: 'malformed percent-encoding in the path' };
    }
  }
  return { ok: true, url };
}
