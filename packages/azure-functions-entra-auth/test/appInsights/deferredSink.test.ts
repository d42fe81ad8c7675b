import { DeferredSink, type DeferredSinkOptions } from '../../src/appInsights/deferredSink';
import type { TelemetryEvent, TelemetryMetric } from '../../src/appInsights/telemetrySink';
import { DiagnosticLog, ManualTimers, RecordingSink } from '../support/recordingSink';

let timers: ManualTimers;
let target: RecordingSink;
let diagnostics: DiagnosticLog;
let loads: number;

beforeEach(() => {
  timers = new ManualTimers();
  target = new RecordingSink();
  diagnostics = new DiagnosticLog();
  loads = 0;
});

function deferred(options: Partial<DeferredSinkOptions> = {}): DeferredSink {
  return new DeferredSink({
    load: () => {
      loads++;
      return target;
    },
    now: () => timers.now,
    setTimer: timers.setTimer,
    quietMs: 500,
    maxDeferMs: 10_000,
    report: diagnostics.report,
    ...options,
  });
}

const event = (n: number): TelemetryEvent => ({ name: 'AuthFailure', properties: { code: `code_${n}` } });
const success = (functionName = 'orders'): TelemetryMetric => ({ name: 'AuthSuccess', value: 1, dimensions: { functionName, result: 'authorized' } });

describe('before the SDK is loaded', () => {
  it('does not load it at startup, nor on the first item', () => {
    const sink = deferred();
    expect(loads).toBe(0);
    sink.trackEvent(event(1));
    expect(loads).toBe(0);
    expect(sink.loaded).toBe(false);
  });

  it('loads it once no telemetry has come for the quiet period, then replays the buffer in order', () => {
    const sink = deferred();
    sink.trackEvent(event(1));
    timers.advance(300);
    sink.trackEvent(event(2));
    sink.trackMetric(success());
    timers.advance(300); // 600 ms since the first item, but only 300 ms quiet
    expect(loads).toBe(0);
    timers.advance(200);
    expect(loads).toBe(1);
    expect(target.events).toEqual([event(1), event(2)]);
    expect(target.metrics).toEqual([success()]);
    expect(diagnostics.entries).toEqual([{ kind: 'loaded', blockedMs: 0, replayed: 3 }]);
  });

  it('loads it after the longest deferral even under steady traffic', () => {
    const sink = deferred();
    for (let elapsed = 0; elapsed < 12_000 && !sink.loaded; elapsed += 100) {
      sink.trackMetric(success());
      timers.advance(100);
    }
    expect(sink.loaded).toBe(true);
    expect(timers.now).toBe(10_000);
    expect(target.metrics).toHaveLength(100);
  });

  it('buffers a metric as a count per series, so the buffer does not grow with the request rate', () => {
    const sink = deferred({ maxBufferedSeries: 2 });
    for (let i = 0; i < 5_000; i++) sink.trackMetric(success('orders'));
    sink.trackMetric(success('me'));
    sink.trackMetric(success('order')); // a third series: over the limit
    timers.advance(500);
    expect(target.metrics.filter((metric) => metric.dimensions.functionName === 'orders')).toHaveLength(5_000);
    expect(target.metrics.filter((metric) => metric.dimensions.functionName === 'me')).toHaveLength(1);
    expect(target.metrics.filter((metric) => metric.dimensions.functionName === 'order')).toHaveLength(0);
    expect(diagnostics.entries).toContainEqual({ kind: 'dropped', count: 1, reason: 'buffer_full' });
  });

  it('keeps at most the configured number of events and reports how many it dropped', () => {
    const sink = deferred({ maxBufferedEvents: 3 });
    for (let i = 1; i <= 5; i++) sink.trackEvent(event(i));
    timers.advance(500);
    expect(target.events).toEqual([event(1), event(2), event(3)]);
    expect(diagnostics.entries).toEqual([
      { kind: 'loaded', blockedMs: 0, replayed: 3 },
      { kind: 'dropped', count: 2, reason: 'buffer_full' },
    ]);
  });
});

describe('once loaded', () => {
  it('hands items straight to the SDK', () => {
    const sink = deferred();
    sink.trackEvent(event(1));
    timers.advance(500);
    sink.trackEvent(event(2));
    sink.trackMetric(success());
    expect(target.events).toEqual([event(1), event(2)]);
    expect(target.metrics).toEqual([success()]);
    expect(timers.pending).toBe(0);
  });

  it('reports how long loading held the event loop', () => {
    const sink = deferred({
      load: () => {
        timers.now += 812;
        return target;
      },
    });
    sink.trackEvent(event(1));
    timers.advance(500);
    expect(diagnostics.entries[0]).toEqual({ kind: 'loaded', blockedMs: 812, replayed: 1 });
  });
});

describe('when the SDK cannot be loaded', () => {
  it('reports it, drops what was buffered, and ignores later items without throwing', () => {
    const sink = deferred({
      load: () => {
        throw new Error("Cannot find module 'applicationinsights'");
      },
    });
    sink.trackEvent(event(1));
    sink.trackMetric(success());
    sink.trackMetric(success());
    timers.advance(500);
    expect(() => {
      sink.trackEvent(event(2));
      sink.trackMetric(success());
    }).not.toThrow();
    expect(sink.loaded).toBe(false);
    expect(diagnostics.entries).toEqual([
      { kind: 'load_failed', message: "Cannot find module 'applicationinsights'" },
      { kind: 'dropped', count: 3, reason: 'sdk_unavailable' },
    ]);
    expect(timers.pending).toBe(0);
  });
});

describe('shutdown', () => {
  it('loads the SDK at once when items are waiting, so they are sent, then shuts it down', async () => {
    const sink = deferred();
    sink.trackEvent(event(1));
    sink.trackMetric(success());
    await sink.shutdown();
    expect(loads).toBe(1);
    expect(target.events).toEqual([event(1)]);
    expect(target.metrics).toEqual([success()]);
    expect(target.shutdowns).toBe(1);
    expect(timers.pending).toBe(0);
  });

  it('never loads the SDK when nothing was tracked', async () => {
    await deferred().shutdown();
    expect(loads).toBe(0);
  });

  it('ignores items after shutdown', async () => {
    const sink = deferred();
    sink.trackEvent(event(1));
    timers.advance(500);
    await sink.shutdown();
    sink.trackEvent(event(2));
    expect(target.events).toEqual([event(1)]);
  });
});
