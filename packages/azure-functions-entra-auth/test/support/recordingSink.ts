import type { SetTimer } from '../../src/appInsights/deferredSink';
import type { TelemetryDiagnostic, TelemetryEvent, TelemetryMetric, TelemetrySink } from '../../src/appInsights/telemetrySink';

/** A sink that keeps what it is given, in order; `failWith` makes every call throw. */
export class RecordingSink implements TelemetrySink {
  readonly events: TelemetryEvent[] = [];
  readonly metrics: TelemetryMetric[] = [];
  shutdowns = 0;
  failWith: Error | undefined;
  /** What shutdown() returns; defaults to an already settled promise. */
  shutdownResult: () => Promise<void> = () => Promise.resolve();

  trackEvent(event: TelemetryEvent): void {
    if (this.failWith) throw this.failWith;
    this.events.push(event);
  }

  trackMetric(metric: TelemetryMetric): void {
    if (this.failWith) throw this.failWith;
    this.metrics.push(metric);
  }

  shutdown(): Promise<void> {
    this.shutdowns++;
    return this.shutdownResult();
  }
}

/** A clock and timers moved by hand: `advance(ms)` fires what falls due, in order. */
export class ManualTimers {
  now = 0;
  private timers: { at: number; callback: () => void; cancelled: boolean }[] = [];

  readonly setTimer: SetTimer = (callback, ms) => {
    const timer = { at: this.now + ms, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  };

  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers.filter((timer) => !timer.cancelled && timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.now = due.at;
      due.callback();
    }
    this.now = end;
    this.timers = this.timers.filter((timer) => !timer.cancelled);
  }
}

export class DiagnosticLog {
  readonly entries: TelemetryDiagnostic[] = [];
  readonly report = (diagnostic: TelemetryDiagnostic): void => {
    this.entries.push(diagnostic);
  };
  kinds(): string[] {
    return this.entries.map((entry) => entry.kind);
  }
}
