import type { KeySetEvents } from '../entra/entraKeyStore';
import type { AuthFailureEvent, AuthSuccessEvent } from '../functions/authEvents';
import type { TelemetryEvent, TelemetryMetric } from './telemetrySink';

/**
 * The names and fields that dashboards, KQL and alerts depend on. Changing one is
 * a breaking change for docs/kql and the alert rules.
 */
export const AUTH_FAILURE_EVENT = 'AuthFailure';
export const AUTH_SUCCESS_METRIC = 'AuthSuccess';
export const KEY_SET_FALLBACK_EVENT = 'AuthKeySetFallback';
export const KEY_SET_REFRESHED_EVENT = 'AuthKeySetRefreshed';

/** The only AuthFailure properties ever sent: request and caller IDs, never the token or personal claims. */
export const AUTH_FAILURE_PROPERTIES = [
  'code',
  'check',
  'status',
  'method',
  'route',
  'functionName',
  'invocationId',
  'tenantId',
  'clientAppId',
  'unverifiedTenantId',
  'unverifiedClientAppId',
  'tokenVersion',
  'kid',
  'authority',
  'userFlow',
] as const satisfies readonly (keyof AuthFailureEvent)[];

/** `authority` (issue 22): which configured authority verified the token (`default` in the AUTH_* form). */
export const AUTH_SUCCESS_DIMENSIONS = ['functionName', 'tenantId', 'result', 'tokenVersion', 'authority'] as const;

type KeySetFallback = Parameters<NonNullable<KeySetEvents['onKeySetFallback']>>[0];
type KeySetRefreshed = Parameters<NonNullable<KeySetEvents['onKeySetRefreshed']>>[0];

/** Longest value sent. IDs are far shorter; an access token (or most of one) can never fit. */
const MAX_VALUE_LENGTH = 128;

/** Allow-list copy: only the named fields, only when present, as bounded strings (for an app's own events too). */
export function pick<T extends object>(source: T, keys: readonly (keyof T & string)[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value: unknown = source[key];
    if (typeof value === 'string' || typeof value === 'number') picked[key] = String(value).slice(0, MAX_VALUE_LENGTH);
  }
  return picked;
}

export function authFailureEvent(event: AuthFailureEvent): TelemetryEvent {
  return { name: AUTH_FAILURE_EVENT, properties: pick(event, AUTH_FAILURE_PROPERTIES) };
}

/** One authorized request, counted: value 1 so that the aggregate's sum and count are both the request count. */
export function authSuccessMetric(event: AuthSuccessEvent): TelemetryMetric {
  return {
    name: AUTH_SUCCESS_METRIC,
    value: 1,
    dimensions: pick({ ...event, result: 'authorized' }, AUTH_SUCCESS_DIMENSIONS),
  };
}

export function keySetFallbackEvent(event: KeySetFallback): TelemetryEvent {
  return {
    name: KEY_SET_FALLBACK_EVENT,
    properties: pick({ version: event.version, url: hostAndPath(event.url), check: event.check, reason: event.reason }, ['version', 'url', 'check', 'reason']),
  };
}

export function keySetRefreshedEvent(event: KeySetRefreshed): TelemetryEvent {
  return {
    name: KEY_SET_REFRESHED_EVENT,
    properties: pick(
      { version: event.version, url: hostAndPath(event.url), kidCount: event.kids.length, reason: event.reason },
      ['version', 'url', 'kidCount', 'reason'],
    ),
  };
}

/** Host and path only: a query string or credentials in a URL stay out of telemetry. */
function hostAndPath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'invalid-url';
  }
}
