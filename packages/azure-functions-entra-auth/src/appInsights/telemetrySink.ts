/** A custom event: Application Insights `customEvents`, properties in `customDimensions`. */
export interface TelemetryEvent {
  readonly name: string;
  readonly properties: Readonly<Record<string, string>>;
}

/** One measurement of a metric: aggregated in-process, exported as `customMetrics` rows per dimension set. */
export interface TelemetryMetric {
  readonly name: string;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * Where telemetry items go. `trackEvent`/`trackMetric` are synchronous enqueues,
 * called on the request path: they must be cheap and must not throw.
 */
export interface TelemetrySink {
  trackEvent(event: TelemetryEvent): void;
  trackMetric(metric: TelemetryMetric): void;
  /** Sends what is buffered and stops. Callers bound the wait; it may never settle if ingestion hangs. */
  shutdown(): Promise<void>;
}

/** What the telemetry plumbing reports about itself (for the host's log, never for callers). */
export type TelemetryDiagnostic =
  /** The SDK was loaded; `blockedMs` is how long loading held the event loop. */
  | { readonly kind: 'loaded'; readonly blockedMs: number; readonly replayed: number }
  | { readonly kind: 'load_failed'; readonly message: string }
  /** Items dropped because the pre-load buffer was full or the SDK could not be loaded. */
  | { readonly kind: 'dropped'; readonly count: number; readonly reason: 'buffer_full' | 'sdk_unavailable' }
  | { readonly kind: 'track_failed'; readonly message: string }
  | { readonly kind: 'shutdown_timeout'; readonly timeoutMs: number }
  | { readonly kind: 'shutdown_failed'; readonly message: string };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
