import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findAppRoot } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';

/**
 * A second dev tool on a port another one holds, as real processes: it exits 1 with a
 * message naming the port and the process holding it (and the dev tool that runs that
 * one), never a raw EADDRINUSE or a stack trace.
 */
const root = findAppRoot();
const dist = (script: string) => path.join(root, 'packages', 'azure-functions-entra-dev', 'dist', script);
const APP_SETTINGS = {
  AUTH_TENANT_ID: 'de700000-0000-4000-8000-000000000001',
  AUTH_CLIENT_ID: 'de700000-0000-4000-8000-0000000a0001',
  // Nothing answers there: the app fetches keys in the background and starts regardless.
  AUTH_INSTANCE: 'https://127.0.0.1:9',
  ORDERS_STORAGE: 'UseDevelopmentStorage=true',
};
const itOnLinux = process.platform === 'linux' ? it : it.skip;

let stateDir: string;
const running: ChildProcess[] = [];
beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'port-in-use-'));
});
afterAll(async () => {
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          child.once('exit', () => {
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await rm(stateDir, { recursive: true, force: true });
});

function start(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [dist(script), ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  return child;
}

/** Runs to the end: exit code and stderr. */
async function finish(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stderr };
}

const noStackTrace = (stderr: string) => {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('EADDRINUSE');
};

describe('a port another dev tool holds', () => {
  itOnLinux('stops a second stand-in, naming the stand-in that holds the port', async () => {
    const first = start('standin/main.js', ['--port', '0', '--state-dir', stateDir, '--quiet'], {});
    const { port, pid } = await waitForJsonLine<{ port: number; pid: number }>(first, 'authority');
    const second = await finish(start('standin/main.js', ['--port', String(port), '--state-dir', stateDir, '--quiet'], {}));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`[entra-standin] port ${String(port)} on 127.0.0.1 is in use by the Entra stand-in (pid ${String(pid)}). A stand-in already runs there: use it`);
    noStackTrace(second.stderr);
  });

  itOnLinux("stops a second dev host on the same PORT, naming the dev host and the entra-dev host that runs it", async () => {
    const first = start('host/serve.js', [], { ...APP_SETTINGS, PORT: '0' });
    const { devHost } = await waitForJsonLine<{ devHost: string }>(first, 'devHost');
    const port = new URL(devHost).port;
    const second = await finish(start('host/serve.js', [], { ...APP_SETTINGS, PORT: port }));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`\\[dev-host\\] PORT ${port} on 127\\.0\\.0\\.1 is in use by the dev host \\(pid \\d+\\), run by entra-dev host \\(pid ${String(first.pid)}\\)\\. Stop it, or serve on another port: entra-dev host --port ${String(Number(port) + 1)}`));
    noStackTrace(second.stderr);
  });
});
