/** Response headers as the Azure SDKs expose them (HttpHeaders, or a Map in tests). */
export interface HeaderReader {
  get(name: string): string | undefined;
}

/**
 * The longest wait passed on to a caller, whatever a service asked for: past a minute
 * a client is better off retrying and being told again than sitting out an hour.
 */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** Retry-After as whole seconds (delta-seconds or an HTTP date), at least 1; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.max(1, Number(trimmed));
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(1, Math.ceil((date - now) / 1000)) : undefined;
}

/**
 * The wait a service asked for, in milliseconds, uncapped: Azure services may state it
 * in milliseconds (retry-after-ms, x-ms-retry-after-ms), which win over Retry-After
 * (seconds or an HTTP date), as in the SDKs' own throttling policy. Undefined when none is readable.
 */
export function requestedWaitMs(headers: HeaderReader | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const get = (name: string): string | undefined => {
    const value: unknown = headers.get(name);
    return typeof value === 'string' ? value.trim() : undefined;
  };
  const ms = [get('retry-after-ms'), get('x-ms-retry-after-ms')].find((value) => value !== undefined && /^\d+$/.test(value));
  if (ms !== undefined) return Number(ms);
  const seconds = parseRetryAfter(get('retry-after'), now);
  return seconds === undefined ? undefined : seconds * 1000;
}

/** The requested wait as the whole seconds of a Retry-After to pass on: at least 1, at most MAX_RETRY_AFTER_SECONDS. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.min(Math.max(1, Math.ceil(waitMs / 1000)), MAX_RETRY_AFTER_SECONDS);
}
