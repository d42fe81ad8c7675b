import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository root: scripts are named relative to it, and processes run in it unless told otherwise. */
export const REPO_ROOT = path.join(__dirname, '../..');

export interface NodeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** The whole environment; default this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  readonly input?: string;
}

/** Runs a node script to its end and collects what it printed, as a user at a terminal sees it. */
export function runNode(script: string, args: readonly string[], options: RunOptions = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(REPO_ROOT, script), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/**
 * Long-running node processes of one test file (a stand-in, dev hosts), started with only
 * PATH and the environment given, so nothing of the test runner's environment leaks into
 * the app under test; `stopAll` in afterAll.
 */
export class NodeProcesses {
  private readonly children: ChildProcess[] = [];

  /** stdout is piped (for waitForJsonLine); stderr is dropped. */
  start(script: string, args: readonly string[], env: Readonly<Record<string, string>>): ChildProcess {
    const child = spawn(process.execPath, [path.resolve(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    this.children.push(child);
    return child;
  }

  stopAll(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}
