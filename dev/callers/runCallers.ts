/**
 * Drives the stand-in and the app with the non-Node callers in dev/callers/, each run
 * exactly as README.md ("Calling from Python and .NET") shows, plus AUTH_INSTANCE and
 * ORDERS_URL because this stack runs on free ports (npm start's are 7443 and 7071, the
 * callers' defaults). Starts what npm start starts (the Entra stand-in with state in
 * .dev-state, so its CA and ca-bundle.pem are npm start's; Azurite's table service in a
 * scratch folder; the app in the dev host), runs every caller whose runtime is here
 * (python3 that imports msal and requests; dotnet), prints one line per caller and exits 1
 * when a caller that could run failed. Run it with dev/callers/run.sh.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../azurite/azuriteTable';
import { commandLinePath, findAppRoot, hostWorkerPath, type StandinRecord, findOnPath, waitForJsonLine } from 'azure-functions-entra-dev/toolkit';

const root = findAppRoot(__dirname);
const stateDir = path.join(root, '.dev-state');
/** Relative, as README writes it: the callers run from the repository root. */
const BUNDLE = '.dev-state/tls/ca-bundle.pem';
const CALLER_TIMEOUT_MS = 90_000;
const say = (line: string) => void process.stdout.write(`${line}\n`);

interface Caller {
  readonly name: string;
  /** The command, or why the caller is skipped. */
  readonly command: { argv: string[]; env: Record<string, string> } | { skipped: string };
}

function pythonCaller(): Caller {
  // Debian's python3-msal installs for /usr/bin/python3, which a pyenv or venv python3 on PATH may hide.
  const candidates = [...new Set(['python3', '/usr/bin/python3'])];
  const python = candidates.find((candidate) => spawnSync(candidate, ['-c', 'import msal, requests'], { stdio: 'ignore' }).status === 0);
  return {
    name: 'python',
    command: python
      ? { argv: [python, 'dev/callers/python/call_orders.py'], env: { REQUESTS_CA_BUNDLE: BUNDLE } }
      : { skipped: 'no python3 that imports msal and requests (apt-get install python3-msal, or pip install msal)' },
  };
}

function dotnetCaller(): Caller {
  return {
    name: 'dotnet',
    command: findOnPath('dotnet')
      ? { argv: ['dotnet', 'run', '--project', 'dev/callers/dotnet/CallOrders'], env: { SSL_CERT_FILE: BUNDLE } }
      : { skipped: 'no dotnet on PATH' },
  };
}

const children: ChildProcess[] = [];
let azurite: AzuriteTable | undefined;
let azuriteDir: string | undefined;
/** The stand-in's and the app's stderr, shown only when the stack does not come up. */
let stackStderr = '';

function startNode(script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [path.resolve(root, script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => { stackStderr += chunk.toString(); });
  children.push(child);
  return child;
}

function runCaller(argv: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const [command = '', ...args] = argv;
    const child = spawn(command, args, { cwd: root, env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1', ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => { output += `\n(killed after ${CALLER_TIMEOUT_MS / 1000} s)`; child.kill('SIGKILL'); }, CALLER_TIMEOUT_MS);
    child.on('error', (error) => { output += String(error); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output: output.trim() }); });
  });
}

async function main(): Promise<number> {
  for (const built of [commandLinePath(), hostWorkerPath(), 'dist/functions/orders.js']) {
    if (!existsSync(path.resolve(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  const callers = [pythonCaller(), dotnetCaller()];
  if (callers.every((caller) => 'skipped' in caller.command)) {
    for (const caller of callers) if ('skipped' in caller.command) say(`${caller.name}: skipped: ${caller.command.skipped}`);
    return 0;
  }

  azuriteDir = mkdtempSync(path.join(tmpdir(), 'callers-azurite-'));
  // The trust settings pass through, so ca-bundle.pem takes its system roots from the same file as under npm start.
  const trust = Object.fromEntries(['REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const standinProcess = startNode(commandLinePath(), ['standin', '--port', '0', '--state-dir', stateDir, '--quiet'], trust);
  [azurite] = await Promise.all([startAzuriteTable({ location: azuriteDir })]);
  const standin = await waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority');
  if (path.relative(root, path.join(path.dirname(standin.caPath), 'ca-bundle.pem')) !== BUNDLE) throw new Error(`the stand-in's CA is at ${standin.caPath}, not beside ${BUNDLE}`);
  const host = startNode(hostWorkerPath(), [root], {
    PORT: '0',
    AUTH_TENANT_ID: standin.tenantId,
    AUTH_CLIENT_ID: 'de700000-0000-4000-8000-0000000a0001',
    AUTH_APP_ID_URI: 'api://orders-api',
    AUTH_INSTANCE: standin.url,
    AUTH_INSTANCE_CA_FILE: standin.caPath,
    NODE_EXTRA_CA_CERTS: standin.caPath,
    ORDERS_STORAGE: azurite.connectionString,
  });
  const devHost = (await waitForJsonLine<{ devHost: string }>(host, 'devHost')).devHost;
  const stackEnv = { AUTH_INSTANCE: standin.url, ORDERS_URL: `${devHost}/api/orders` };

  let failed = 0;
  for (const caller of callers) {
    if ('skipped' in caller.command) {
      say(`${caller.name}: skipped: ${caller.command.skipped}`);
      continue;
    }
    const env = { ...stackEnv, ...caller.command.env };
    const shown = `${Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' ')} ${caller.command.argv.join(' ')}`;
    const started = Date.now();
    const { code, output } = await runCaller(caller.command.argv, env);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (code === 0) {
      say(`${caller.name}: ok (${seconds} s): ${output.split('\n').at(-1) ?? ''}`);
    } else {
      failed++;
      say(`${caller.name}: FAILED (exit ${code ?? 'signal'}, ${seconds} s): ${shown}\n${output.split('\n').slice(-15).map((line) => `  ${line}`).join('\n')}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

async function stop(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await azurite?.stop().catch(() => undefined);
  if (azuriteDir) rmSync(azuriteDir, { recursive: true, force: true });
}

main()
  .then(async (code) => { await stop(); process.exit(code); })
  .catch(async (error: unknown) => {
    process.stderr.write(`${stackStderr}callers: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop();
    process.exit(1);
  });
