import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findAppRoot } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';
import type { StandinRecord } from '../../packages/azure-functions-entra-dev/src/standin/standinState';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';
import { runNode, type NodeRun } from '../support/nodeProcesses';
import { readJwt } from './support/standinHarness';

/**
 * Several stand-ins on one state directory, as real processes: npm start's, and the
 * demo's (--port 0) started and stopped beside it. The token script must keep finding
 * npm start's, say which one it used, and never advise a port whose issuer differs.
 */
const root = findAppRoot();
const STANDIN = path.join(root, 'packages/azure-functions-entra-dev/dist/standin/main.js');
const TOKEN = path.join(root, 'packages/azure-functions-entra-dev/dist/token/main.js');

let stateDir: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'standins-side-by-side-'));
});
afterAll(async () => {
  await Promise.all(running.map(stop));
  await rm(stateDir, { recursive: true, force: true });
});

async function startStandin(): Promise<{ child: ChildProcess; record: StandinRecord }> {
  const child = spawn(process.execPath, [STANDIN, '--port', '0', '--state-dir', stateDir, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.push(child);
  const record = await waitForJsonLine<StandinRecord & Record<string, unknown>>(child, 'authority');
  return { child, record };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function token(args: string[]): Promise<NodeRun> {
  return runNode(TOKEN, ['--client', 'writer', '--state-dir', stateDir, ...args]);
}

function listeningServer(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      resolve(server);
    });
  });
}

describe('stand-ins side by side on one state directory (real processes)', () => {
  it("keep the token script on npm start's stand-in after the demo's has come and gone, naming the one it used", async () => {
    const main = await startStandin();
    const demo = await startStandin();
    const during = await token(['--port', String(main.record.port)]);
    expect(during.code).toBe(0);
    expect(during.stderr).toContain(`from the running stand-in at ${main.record.url} (pid ${String(main.record.pid)}`);
    expect(during.stderr).toContain(`not used: the stand-in at ${demo.record.url}`);

    await stop(demo.child);
    const after = await token(['--port', String(main.record.port)]);
    expect(after.code).toBe(0);
    expect(after.stderr).toContain(`from the running stand-in at ${main.record.url}`);
    expect(after.stderr).not.toContain('not used');
    expect(readJwt(after.stdout.trim()).payload).toMatchObject({ iss: `${main.record.url}/${main.record.tenantId}/v2.0` });
  });

  it('refuses, naming the port and the state directory, when another program holds the port; no stack, no --port 0 advice', async () => {
    const squatter = await listeningServer();
    try {
      const { port } = squatter.address() as { port: number };
      const run = await token(['--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`port ${String(port)} on 127.0.0.1 is in use by a jest run (pid ${String(process.pid)}), not by a stand-in of the state directory ${stateDir}`);
      expect(run.stderr).not.toContain('--port 0');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('with none running on the port, says it started one just for the request and how to start one', async () => {
    const free = await listeningServer();
    const { port } = free.address() as { port: number };
    await new Promise((resolve) => free.close(resolve));
    const run = await token(['--port', String(port)]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`no stand-in of ${stateDir} is running on port ${String(port)}: started one at https://127.0.0.1:${String(port)} just for this request`);
    expect(run.stderr).toContain('start one with entra-dev standin to call the app');
  });
});
