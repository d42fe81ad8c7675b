import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Waits for the first stdout line of a child that parses as a JSON object with
 * `key` (the dev tools announce themselves that way), passing other lines to
 * `echo`. Rejects if the child exits first or the deadline passes.
 */
export function waitForJsonLine<T extends Record<string, unknown>>(
  child: ChildProcess,
  key: string,
  options: { timeoutMs?: number; echo?: (line: string) => void } = {},
): Promise<T> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('child has no piped stdout'));
  return new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    let found = false;
    const timer = setTimeout(() => { finish(new Error(`no "${key}" line within ${options.timeoutMs ?? 30_000} ms`)); }, options.timeoutMs ?? 30_000);
    const onExit = (code: number | null) => { finish(new Error(`process exited (${code ?? 'signal'}) before announcing "${key}"`)); };
    function finish(error?: Error, value?: T): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (error) reject(error);
      else if (value) resolve(value);
    }
    child.once('exit', onExit);
    lines.on('line', (line) => {
      if (!found) {
        const parsed = tryParse(line);
        if (parsed && key in parsed) {
          found = true;
          finish(undefined, parsed as T);
          return;
        }
      }
      options.echo?.(line);
    });
  });
}

function tryParse(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
