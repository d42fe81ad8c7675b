import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../../../dev/azurite/azuriteTable';
import { waitForJsonLine } from '../../../packages/azure-functions-entra-dev/src/process/jsonLine';
import { startLocalEntra, type LocalEntra } from 'azure-functions-entra-dev';

/** The Orders API as a real process: the dev host on a free port, the Entra stand-in in process, Azurite. */
export interface OrdersStack {
  readonly kit: LocalEntra;
  /** The dev host's origin, e.g. http://127.0.0.1:40123. */
  readonly host: string;
  stop(): Promise<void>;
}

export const root = path.join(__dirname, '../../..');

/** Needs `npm run build && npm run build:dev` (npm test runs them first). */
export async function startOrdersStack(env: Record<string, string> = {}): Promise<OrdersStack> {
  for (const built of ['packages/azure-functions-entra-dev/dist/host/worker.js', 'dist/functions/index.js']) {
    if (!existsSync(path.join(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-stack-'));
  const kit = await startLocalEntra();
  let azurite: AzuriteTable | undefined;
  let host: ChildProcess | undefined;
  const stop = async () => {
    if (host && host.exitCode === null) {
      const exited = new Promise((resolve) => host?.once('exit', resolve));
      host.kill('SIGTERM');
      await exited;
    }
    await azurite?.stop();
    await kit.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    azurite = await startAzuriteTable({ location: path.join(dir, 'azurite') });
    host = spawn(process.execPath, [path.join(root, 'packages/azure-functions-entra-dev/dist/host/worker.js'), root], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...kit.settings('orders-api'), NODE_EXTRA_CA_CERTS: kit.caPath, ORDERS_STORAGE: azurite.connectionString, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const { devHost } = await waitForJsonLine<{ devHost: string }>(host, 'devHost');
    return { kit, host: devHost, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
