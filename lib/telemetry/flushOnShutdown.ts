import type { AuthTelemetry } from './authTelemetry';

/** The part of `process` used here; injected so tests need no real signals. */
export interface ShutdownSignals {
  readonly pid: number;
  once(event: 'beforeExit' | 'SIGTERM', listener: () => void): unknown;
  listenerCount(event: 'SIGTERM'): number;
  kill(pid: number, signal: 'SIGTERM'): unknown;
}

export interface FlushOnShutdownOptions {
  readonly process: ShutdownSignals;
  /** Registers a graceful-shutdown hook of the host: `app.hook.appTerminate` under the Functions worker. */
  readonly onAppTerminate?: (hook: () => Promise<void>) => void;
  /** Longest wait for ingestion at exit. Default 2 s, inside the Functions host's termination grace period. */
  readonly timeoutMs?: number;
}

/**
 * Flushes buffered telemetry once when the process is about to go: the Functions
 * worker's appTerminate hook (the documented graceful path), SIGTERM, or an empty
 * event loop (beforeExit). Whichever comes first runs the bounded shutdown; the others
 * reuse it. After SIGTERM, when no one else listens for it, the signal is raised again
 * so the process still terminates the way it would have without this hook.
 */
export function flushTelemetryOnShutdown(telemetry: Pick<AuthTelemetry, 'shutdown'>, options: FlushOnShutdownOptions): void {
  const proc = options.process;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let flushing: Promise<void> | undefined;
  const flush = () => (flushing ??= telemetry.shutdown(timeoutMs));

  options.onAppTerminate?.(flush);
  proc.once('beforeExit', () => void flush());
  proc.once('SIGTERM', () => {
    void flush().then(() => {
      // `once` has removed this listener: zero means Node's default action was ours to restore.
      if (proc.listenerCount('SIGTERM') === 0) proc.kill(proc.pid, 'SIGTERM');
    });
  });
}
