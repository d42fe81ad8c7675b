import { errorMessage, type TelemetryDiagnostic, type TelemetryEvent, type TelemetryMetric, type TelemetrySink } from './telemetrySink';

export interface Timer {
  cancel(): void;
}
export type SetTimer = (callback: () => void, ms: number) => Timer;

export interface DeferredSinkOptions {
  /** Creates the real sink; synchronous (it requires the SDK) and may throw. */
  readonly load: () => TelemetrySink;
  /** Milliseconds; defaults to Date.now. */
  readonly now?: () => number;
  /** Defaults to an unref'd setTimeout, so a pending load never keeps a process alive. */
  readonly setTimer?: SetTimer;
  /** Load once no telemetry has arrived for this long (a proxy for "no request in flight"). Default 500 ms. */
  readonly quietMs?: number;
  /** ...but no later than this after the first item, even under steady traffic. Default 10 s. */
  readonly maxDeferMs?: number;
  /** Events kept before the SDK is loaded; later ones are dropped and counted. Default 1000. */
  readonly maxBufferedEvents?: number;
  /** Distinct metric series (name, value and dimensions) kept before the SDK is loaded. Default 1000. */
  readonly maxBufferedSeries?: number;
  readonly report?: (diagnostic: TelemetryDiagnostic) => void;
}

type State = 'waiting' | 'loaded' | 'failed' | 'closed';

const unrefTimer: SetTimer = (callback, ms) => {
  const handle = setTimeout(callback, ms);
  handle.unref();
  return { cancel: () => { clearTimeout(handle); } };
};

/**
 * A sink that keeps telemetry in a small bounded buffer and loads the real one only
 * once the app has gone quiet after its first telemetry (so after the first
 * responses), then replays the buffer into it. Requiring the Application Insights
 * SDK holds the event loop for most of a second; done at startup it would delay the
 * first request of every cold start. Metrics are buffered as counts per series, so
 * the buffer stays small whatever the request rate.
 */
export class DeferredSink implements TelemetrySink {
  private state: State = 'waiting';
  private target: TelemetrySink | undefined;
  private readonly events: TelemetryEvent[] = [];
  private readonly series = new Map<string, { readonly metric: TelemetryMetric; times: number }>();
  private dropped = 0;
  private firstAt: number | undefined;
  private lastAt = 0;
  private timer: Timer | undefined;
  private readonly now: () => number;
  private readonly setTimer: SetTimer;
  private readonly quietMs: number;
  private readonly maxDeferMs: number;

  constructor(private readonly options: DeferredSinkOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? unrefTimer;
    this.quietMs = options.quietMs ?? 500;
    this.maxDeferMs = options.maxDeferMs ?? 10_000;
  }

  /** Whether the real sink is loaded and receiving items directly. */
  get loaded(): boolean {
    return this.state === 'loaded';
  }

  trackEvent(event: TelemetryEvent): void {
    if (this.state === 'loaded') {
      this.target?.trackEvent(event);
      return;
    }
    if (this.state !== 'waiting') return;
    if (this.events.length < (this.options.maxBufferedEvents ?? 1000)) this.events.push(event);
    else this.dropped++;
    this.noteActivity();
  }

  trackMetric(metric: TelemetryMetric): void {
    if (this.state === 'loaded') {
      this.target?.trackMetric(metric);
      return;
    }
    if (this.state !== 'waiting') return;
    // Code-unit order, not localeCompare: the first localeCompare loads ICU collation, about 10 ms on the first request.
    const key = JSON.stringify([metric.name, metric.value, Object.entries(metric.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    const known = this.series.get(key);
    if (known) known.times++;
    else if (this.series.size < (this.options.maxBufferedSeries ?? 1000)) this.series.set(key, { metric, times: 1 });
    else this.dropped++;
    this.noteActivity();
  }

  /** Loads the real sink now and replays the buffer into it; a no-op unless still waiting. */
  loadNow(): void {
    if (this.state !== 'waiting') return;
    this.timer?.cancel();
    this.timer = undefined;
    const started = this.now();
    try {
      this.target = this.options.load();
    } catch (error) {
      this.state = 'failed';
      this.report({ kind: 'load_failed', message: errorMessage(error) });
      this.discardBuffer('sdk_unavailable');
      return;
    }
    this.state = 'loaded';
    const blockedMs = this.now() - started;
    const replayed = this.replay(this.target);
    this.report({ kind: 'loaded', blockedMs, replayed });
    if (this.dropped > 0) this.report({ kind: 'dropped', count: this.dropped, reason: 'buffer_full' });
    this.dropped = 0;
  }

  /** Loads the SDK first if anything is waiting, so buffered items are sent too; then stops. */
  async shutdown(): Promise<void> {
    if (this.state === 'waiting' && (this.events.length > 0 || this.series.size > 0)) this.loadNow();
    this.timer?.cancel();
    this.timer = undefined;
    const target = this.state === 'loaded' ? this.target : undefined;
    this.state = 'closed';
    await target?.shutdown();
  }

  private noteActivity(): void {
    const now = this.now();
    this.lastAt = now;
    this.firstAt ??= now;
    this.timer ??= this.setTimer(() => {
      this.onTimer();
    }, this.quietMs);
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.state !== 'waiting' || this.firstAt === undefined) return;
    const now = this.now();
    const quietFor = now - this.lastAt;
    const waited = now - this.firstAt;
    if (quietFor >= this.quietMs || waited >= this.maxDeferMs) {
      this.loadNow();
      return;
    }
    this.timer = this.setTimer(() => {
      this.onTimer();
    }, Math.min(this.quietMs - quietFor, this.maxDeferMs - waited));
  }

  private replay(target: TelemetrySink): number {
    let replayed = 0;
    let failure: unknown;
    for (const event of this.events.splice(0)) {
      try {
        target.trackEvent(event);
        replayed++;
      } catch (error) {
        failure ??= error;
      }
    }
    for (const { metric, times } of this.series.values()) {
      for (let i = 0; i < times; i++) {
        try {
          target.trackMetric(metric);
          replayed++;
        } catch (error) {
          failure ??= error;
        }
      }
    }
    this.series.clear();
    if (failure !== undefined) this.report({ kind: 'track_failed', message: errorMessage(failure) });
    return replayed;
  }

  private discardBuffer(reason: 'sdk_unavailable'): void {
    let count = this.events.length + this.dropped;
    for (const { times } of this.series.values()) count += times;
    this.events.length = 0;
    this.series.clear();
    this.dropped = 0;
    if (count > 0) this.report({ kind: 'dropped', count, reason });
  }

  private report(diagnostic: TelemetryDiagnostic): void {
    try {
      this.options.report?.(diagnostic);
    } catch {
      // Diagnostics are best effort.
    }
  }
}
