/**
 * What `npm run package` bundles in place of `@azure/monitor-opentelemetry`. The
 * applicationinsights SDK needs that package only for its global setup
 * (`useAzureMonitor`, `setup().start()`, a TelemetryClient with global providers), which
 * loads instrumentations, gRPC and protobuf exporters and the OpenTelemetry Node SDK:
 * most of the SDK's size, none of it used here. The app's TelemetryClient runs with
 * `useGlobalProviders: false` (see appInsightsSink.ts), whose path never reaches
 * these; if a change ever does, it fails loudly instead of silently sending nothing.
 */
function unavailable(name: string): Error {
  return new Error(
    `@azure/monitor-opentelemetry ${name}() is not in the deployment package: the app uses an isolated TelemetryClient (useGlobalProviders: false); see dev/package`,
  );
}

export function useAzureMonitor(): never {
  throw unavailable('useAzureMonitor');
}

export function shutdownAzureMonitor(): Promise<never> {
  return Promise.reject(unavailable('shutdownAzureMonitor'));
}
