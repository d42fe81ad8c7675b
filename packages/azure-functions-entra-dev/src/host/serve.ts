import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findAppRoot } from '../standin/devPaths';
import { LocalSettingsError, localEnvironment } from './localSettings';

/**
 * `entra-dev host [--app <dir>] [--port <n>]`: runs the built function app of <dir>
 * (default: the app the command runs in) in the dev host on --port (env PORT, default
 * 7071). Like Core Tools, it starts the app in a child process whose environment
 * includes local.settings.json Values (the environment wins, so a NODE_EXTRA_CA_CERTS
 * the machine sets replaces the one there; AUTH_INSTANCE_CA_FILE still trusts the stand-in).
 */
const HOST_USAGE = `Usage: entra-dev host [--app <dir>] [--port <n>]
  --app   the Functions app's folder (default: the nearest package.json at or above the working directory)
  --port  HTTP port on 127.0.0.1 (default env PORT, else 7071; 0 = any free port)
  Serves the app's package.json "main" (a file, a glob, or a {a,b} list, as the Functions worker reads it) after you build it.`;

let values: { app?: string | undefined; port?: string | undefined; help?: boolean | undefined };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: { app: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  process.stderr.write(`[dev-host] ${error instanceof Error ? error.message : String(error)}\n${HOST_USAGE}\n`);
  process.exit(2);
}
if (values.help === true) {
  process.stdout.write(`${HOST_USAGE}\n`);
  process.exit(0);
}

let appRoot: string;
let env: NodeJS.ProcessEnv;
try {
  appRoot = values.app === undefined ? findAppRoot() : path.resolve(values.app);
  env = localEnvironment(appRoot, process.env);
} catch (error) {
  // A settings file or folder the developer can fix: its message, no stack.
  process.stderr.write(`[dev-host] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof LocalSettingsError ? 1 : 2);
}
if (values.port !== undefined) env = { ...env, PORT: values.port };
// In the app root, as the Functions host runs its worker: relative settings (AUTH_INSTANCE_CA_FILE) resolve there.
const worker = spawn(process.execPath, [path.join(__dirname, 'worker.js'), appRoot], { cwd: appRoot, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code) => process.exit(code ?? 1));
