import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Azurite's well-known development account (public, documented, emulator only). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The explicit form of UseDevelopmentStorage=true for an Azurite table service on another port. */
export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
}

export interface AzuriteTable {
  readonly port: number;
  /** For ORDERS_STORAGE. */
  readonly connectionString: string;
  readonly process: ChildProcess;
  /**
   * Stops the process as Ctrl+C does (SIGINT: Azurite saves its data and closes; SIGKILL
   * after a grace period) and waits for its exit. Azurite keeps data in memory and saves
   * it every few seconds, so a SIGTERM or a crash can lose the last writes: an emulator
   * limit, not the real service's.
   */
  stop(): Promise<void>;
}

export interface AzuriteTableOptions {
  /** Where Azurite keeps its data; the same folder after a restart gives the same data. */
  readonly location: string;
  /** A fixed port (a restart on the port the app already uses); default: a free one. */
  readonly port?: number;
  /** Where Azurite's own output goes (default: dropped). */
  readonly echo?: (line: string) => void;
  readonly timeoutMs?: number;
}

/**
 * Starts Azurite's table service as a child process on 127.0.0.1 only, telemetry
 * off, data under `location`. Azurite with --tablePort 0 binds a free port but
 * reports ":0", so the port is chosen first by binding port 0 (and retried if it
 * is taken in between).
 */
export async function startAzuriteTable(options: AzuriteTableOptions): Promise<AzuriteTable> {
  mkdirSync(options.location, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freeLoopbackPort());
    try {
      return await launch(port, options);
    } catch (error) {
      if (options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

function launch(port: number, options: AzuriteTableOptions): Promise<AzuriteTable> {
  const main = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/table/main.js');
  const child = spawn(
    process.execPath,
    [main, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--location', options.location, '--disableTelemetry', '--skipApiVersionCheck', '--silent'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(child, 'exit');
  let closed: (() => void) | undefined;
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    // After SIGINT Azurite saves, closes and says so, but its process may linger: it is ended once closed.
    const saved = new Promise<void>((resolve) => (closed = resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => closed?.(), 5_000);
    await Promise.race([saved, exited]);
    clearTimeout(timer);
    if (running()) child.kill('SIGKILL');
    await exited;
  };
  const echo = options.echo;
  if (echo) createInterface({ input: child.stderr }).on('line', echo);
  else child.stderr.resume();
  return new Promise<AzuriteTable>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`Azurite did not start within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code ?? 'signal'}) before it listened on 127.0.0.1:${port}`));
    };
    child.once('exit', onExit);
    createInterface({ input: child.stdout }).on('line', (line) => {
      echo?.(line);
      if (line.includes('successfully closed')) closed?.();
      if (!line.includes('successfully started')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ port, connectionString: azuriteConnectionString(port), process: child, stop });
    });
  });
}

export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
