import type { TokenCredential } from '@azure/identity';
import type { EnabledTelemetrySettings, IngestionAuthentication } from './telemetrySettings';
import type { TelemetrySink } from './telemetrySink';

/**
 * The Application Insights sink: an `applicationinsights` v3 TelemetryClient.
 *
 * - Required here, not imported at the top: loading the SDK takes most of a second,
 *   and DeferredSink decides when that happens (after the first responses).
 * - `useGlobalProviders: false`: an isolated client for manual tracking only. The
 *   global setup (useAzureMonitor) would also patch http and other modules, collect
 *   requests, dependencies, performance counters and live metrics, none of which this
 *   app asks for (the Functions host already reports requests).
 * - Events go through the SDK's log pipeline (batched, exported every second);
 *   metrics through its meter, aggregated in-process and exported once a minute per
 *   dimension set; `shutdown()` exports both.
 * - With managed-identity authentication, the credential goes to the exporter as
 *   `config.aadTokenCredential`, which the SDK passes on as
 *   `azureMonitorExporterOptions.credential`: each export then carries an Entra
 *   token for https://monitor.azure.com.
 */
export function loadAppInsightsSink(settings: EnabledTelemetrySettings, credential: IngestionCredential = managedIdentity): TelemetrySink {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy, see above
  const appInsights = require('applicationinsights') as typeof import('applicationinsights');
  const client = new appInsights.TelemetryClient(settings.connectionString, { useGlobalProviders: false });
  const aad = ingestionCredential(settings.authentication, credential);
  if (aad) client.config.aadTokenCredential = aad;
  client.initialize();
  return {
    trackEvent(event) {
      client.trackEvent({ name: event.name, properties: { ...event.properties } });
    },
    trackMetric(metric) {
      client.trackMetric({ name: metric.name, value: metric.value, properties: { ...metric.dimensions } });
    },
    shutdown: () => client.shutdown(),
  };
}

/** Builds the managed-identity credential ingestion is authenticated with (Authorization=AAD). */
export type IngestionCredential = (clientId: string | undefined) => TokenCredential;

/**
 * The documented meaning of APPLICATIONINSIGHTS_AUTHENTICATION_STRING (the same the
 * Functions host and the Azure Monitor distro give it): Authorization=AAD uses the
 * app's managed identity, the user-assigned one named by ClientId if given.
 */
function ingestionCredential(authentication: IngestionAuthentication, create: IngestionCredential): TokenCredential | undefined {
  return authentication.kind === 'managedIdentity' ? create(authentication.clientId) : undefined;
}

/** The default: @azure/identity's ManagedIdentityCredential, loaded with the SDK, off the startup path. */
const managedIdentity: IngestionCredential = (clientId) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the SDK, off the startup path
  const identity = require('@azure/identity') as typeof import('@azure/identity');
  return clientId === undefined ? new identity.ManagedIdentityCredential() : new identity.ManagedIdentityCredential({ clientId });
};
