import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** One cold start: a new Node process serving the app, timed from spawn to the first authorized 200. */
export interface LaunchTiming {
  /** Spawn → the host listening (all function modules loaded). */
  readonly readyMs: number;
  /** Spawn → the first authorized request answered 200 (body read). */
  readonly firstAuthorizedMs: number;
  /**
   * CPU time (user + system) the app process had used by then, from /proc (Linux only;
   * 10 ms ticks). Far steadier than wall time on a shared machine, where other work
   * stretches every wait.
   */
  readonly firstAuthorizedCpuMs: number | undefined;
  /** Spawn → the AuthFailure of a follow-up request stored at the ingestion stand-in (telemetry runs only). */
  readonly telemetryAtIngestionMs: number | undefined;
  /** How long loading the SDK held the app's event loop, as the app reported it. */
  readonly sdkBlockedMs: number | undefined;
}

export interface LaunchOptions {
  readonly script: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly token: string;
  /** The route to call, under the host's URL, e.g. /api/me. */
  readonly path: string;
  /** Set for telemetry runs: resolves once ingestion holds the run's AuthFailure event (or rejects on timeout). */
  readonly telemetryArrived?: () => Promise<void>;
}

const SDK_LOADED = /event loop held (\d+) ms|"kind":"loaded","blockedMs":(\d+)/;

export async function launchOnce(options: LaunchOptions): Promise<LaunchTiming> {
  const started = performance.now();
  const child = spawn(process.execPath, [options.script, ...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const output: string[] = [];
  let sdkBlockedMs: number | undefined;
  let onUrl: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    onUrl = resolve;
    void exited.then(() => {
      reject(new Error(`app exited before listening:\n${output.slice(-20).join('\n')}`));
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      const devHost = /^\{"devHost":"([^"]+)"\}$/.exec(line)?.[1];
      if (devHost) onUrl(devHost);
      const loaded = SDK_LOADED.exec(line);
      if (loaded) sdkBlockedMs = Number(loaded[1] ?? loaded[2]);
    });
  }

  try {
    const base = await url;
    const readyMs = performance.now() - started;
    const response = await fetch(`${base}${options.path}`, { headers: { authorization: `Bearer ${options.token}` } });
    await response.arrayBuffer();
    const firstAuthorizedMs = performance.now() - started;
    const firstAuthorizedCpuMs = child.pid === undefined ? undefined : cpuMs(child.pid);
    if (response.status !== 200) throw new Error(`first authorized request answered ${response.status}, not 200:\n${output.slice(-20).join('\n')}`);

    let telemetryAtIngestionMs: number | undefined;
    if (options.telemetryArrived) {
      const refused = await fetch(`${base}${options.path}`);
      await refused.arrayBuffer();
      await options.telemetryArrived();
      telemetryAtIngestionMs = performance.now() - started;
    }
    return { readyMs, firstAuthorizedMs, firstAuthorizedCpuMs, telemetryAtIngestionMs, sdkBlockedMs };
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

/** utime + stime of a process in ms, from /proc/<pid>/stat; undefined where there is no /proc. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
