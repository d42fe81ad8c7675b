/**
 * azure-functions-entra-auth/app-insights: refusals, successes and key-set events in
 * Application Insights. A separate entry so an app without it never loads this code;
 * the `applicationinsights` SDK itself loads only after the first responses.
 */
export { createAuthTelemetry, type AuthTelemetry, type AuthTelemetryOptions } from './appInsights/authTelemetry';
export { SETTING_NAMES as TELEMETRY_SETTING_NAMES, loadTelemetrySettings, type EnabledTelemetrySettings, type IngestionAuthentication, type TelemetrySettings } from './appInsights/telemetrySettings';
export { createKeySetTelemetry, createTelemetryObserver, guarded, type Report } from './appInsights/telemetryObserver';
export {
  AUTH_FAILURE_EVENT,
  AUTH_FAILURE_PROPERTIES,
  AUTH_SUCCESS_DIMENSIONS,
  AUTH_SUCCESS_METRIC,
  KEY_SET_FALLBACK_EVENT,
  KEY_SET_REFRESHED_EVENT,
  authFailureEvent,
  pick,
} from './appInsights/authTelemetryItems';
export { DeferredSink, type DeferredSinkOptions } from './appInsights/deferredSink';
export { loadAppInsightsSink, type IngestionCredential } from './appInsights/appInsightsSink';
export { errorMessage, type TelemetryDiagnostic, type TelemetryEvent, type TelemetryMetric, type TelemetrySink } from './appInsights/telemetrySink';
