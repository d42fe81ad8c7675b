import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { findAppRoot } from '../../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { runInspect } from '../../../packages/azure-functions-entra-dev/src/inspect/runInspect';
import type { LoadedDescription } from '../../../packages/azure-functions-entra-dev/src/inspect/appDescription';
import type { FetchLike } from 'azure-functions-entra-auth';

export interface InspectorRun {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** stdout parsed, for --json runs. */
  json(): InspectionJson;
  text(): string;
}

export interface InspectionJson {
  readonly verdict: string;
  readonly exitCode: number;
  readonly answer: string;
  readonly checks: readonly { name: string; status: string; check?: string; code?: string; expected?: string; found?: string; fix?: string }[];
  readonly claims?: Record<string, unknown>;
  readonly token?: Record<string, string>;
  readonly routes?: {
    routes: readonly { method: string; path: string; allowed: boolean; answer: string; reason: string }[];
    tenantRules: readonly { method: string; path: string; allowed: boolean; answer: string; reason: string }[];
  };
  readonly notes: readonly string[];
}

/** A folder standing in for the app root, holding a local.settings.json with these Values. */
export async function settingsFolder(values: Record<string, string>): Promise<{ dir: string; file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'inspect-test-'));
  const file = path.join(dir, 'local.settings.json');
  await writeFile(file, JSON.stringify({ IsEncrypted: false, Values: values }));
  return { dir, file, remove: () => rm(dir, { recursive: true, force: true }) };
}

function result(code: number | null, stdout: Buffer, stderr: Buffer): InspectorRun {
  return {
    code,
    stdout,
    stderr,
    json: () => JSON.parse(stdout.toString('utf8')) as InspectionJson,
    text: () => stdout.toString('utf8'),
  };
}

export interface InProcessOptions {
  /** The folder whose local.settings.json is the default settings file. */
  readonly appRoot: string;
  readonly stdin?: string | Buffer;
  readonly env?: NodeJS.ProcessEnv;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
}

/** The command in this process, with its IO captured. */
export async function inspectInProcess(argv: readonly string[], options: InProcessOptions): Promise<InspectorRun> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const code = await runInspect({
    argv,
    env: options.env ?? {},
    cwd: options.appRoot,
    appRoot: options.appRoot,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout: { write: (text: string) => out.push(Buffer.from(text)) },
    stderr: { write: (text: string) => err.push(Buffer.from(text)) },
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.now && { now: options.now }),
    // The app inspected is this repository's build, with the test folder's settings applied.
    describeApp: (_appRoot, environment) => builtDescribeApp()(REPO_ROOT, environment),
  });
  return result(code, Buffer.concat(out), Buffer.concat(err));
}

const REPO_ROOT = findAppRoot(path.join(__dirname, '..'));
export const INSPECT_ENTRY = path.join(REPO_ROOT, 'packages/azure-functions-entra-dev/dist/inspect/main.js');

/** The built describeApp: it forks its worker from beside itself, which only the build has as JavaScript. */
function builtDescribeApp(): (appRoot: string, environment: NodeJS.ProcessEnv) => Promise<LoadedDescription> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(REPO_ROOT, 'packages/azure-functions-entra-dev/dist/inspect/appDescription.js')) as { describeApp: (appRoot: string, environment: NodeJS.ProcessEnv) => Promise<LoadedDescription> }).describeApp;
}

/** The built command as a real child process (`node packages/azure-functions-entra-dev/dist/inspect/main.js`), cwd = appRoot's repo. */
export async function inspectChild(argv: readonly string[], options: { env: NodeJS.ProcessEnv; stdin?: string | Buffer }): Promise<InspectorRun> {
  if (!existsSync(INSPECT_ENTRY)) throw new Error('build first: npm run build:dev (these tests run packages/azure-functions-entra-dev/dist/inspect/main.js)');
  const child = spawn(process.execPath, [INSPECT_ENTRY, ...argv], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  // The child may stop reading early (input over the cap): that is not a test failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return result(code, Buffer.concat(out), Buffer.concat(err));
}

/** Every place the token or one of its segments occurs in the bytes (empty when it never does). */
export function tokenLeaks(output: Buffer, token: string): string[] {
  const leaks: string[] = [];
  const pieces = [token, ...token.split('.')].filter((piece) => piece.length > 0);
  pieces.forEach((piece, index) => {
    if (output.includes(Buffer.from(piece))) leaks.push(index === 0 ? 'the whole token' : `segment ${index}`);
  });
  return leaks;
}
