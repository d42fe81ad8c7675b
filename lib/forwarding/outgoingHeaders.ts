import { isValidTraceparent, isValidTracestate } from './traceContext';

/** Request headers worth passing on to a backend by default: W3C trace context, so one trace spans both. */
export const DEFAULT_FORWARDED_HEADERS: readonly string[] = Object.freeze(['traceparent', 'tracestate']);

/**
 * The caller's credentials, never forwarded whatever an allow-list says: the
 * backend gets this app's assertion instead. Includes what App Service
 * Authentication (Easy Auth) injects about the caller.
 */
function isCredentialHeader(name: string): boolean {
  return name === 'authorization' || name === 'proxy-authorization' || name === 'cookie' || name.startsWith('x-ms-token-') || name.startsWith('x-ms-client-principal');
}

/**
 * Trace context goes on only when well-formed (lib/forwarding/traceContext.ts), and
 * tracestate only beside a valid traceparent, which the spec says it belongs to.
 */
function isForwardable(name: string, value: string, incoming: Headers): boolean {
  if (name === 'traceparent') return isValidTraceparent(value);
  if (name === 'tracestate') return isValidTracestate(value) && isValidTraceparent(incoming.get('traceparent') ?? '');
  return true;
}

/**
 * The headers of a call to a backend: built fresh (nothing is copied unless
 * allow-listed), with the identity assertion as the only Authorization.
 */
export function outgoingHeaders(assertion: string, incoming: Headers | undefined, allow: readonly string[] = DEFAULT_FORWARDED_HEADERS): Headers {
  const headers = new Headers();
  if (incoming) {
    for (const name of allow) {
      const lower = name.toLowerCase();
      const value = incoming.get(lower);
      if (value !== null && !isCredentialHeader(lower) && isForwardable(lower, value, incoming)) headers.set(lower, value);
    }
  }
  headers.set('authorization', `Bearer ${assertion}`);
  headers.set('accept', 'application/json');
  return headers;
}
