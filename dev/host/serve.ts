import { spawn } from 'node:child_process';
import path from 'node:path';
import { LocalSettingsError, localEnvironment } from './localSettings';

/**
 * `npm run serve`: runs the built function app in the dev host on PORT (default
 * 7071). Like Core Tools, it starts the app in a child process whose environment
 * includes local.settings.json Values (the environment wins, so a NODE_EXTRA_CA_CERTS the
 * machine sets replaces the one there; AUTH_INSTANCE_CA_FILE still trusts the stand-in).
 */
const appRoot = path.resolve(__dirname, '../../..');
let env: NodeJS.ProcessEnv;
try {
  env = localEnvironment(appRoot, process.env);
} catch (error) {
  // A settings file the developer can fix: its message, no stack.
  if (!(error instanceof LocalSettingsError)) throw error;
  process.stderr.write(`[dev-host] ${error.message}\n`);
  process.exit(1);
}
// In the app root, as the Functions host runs its worker: relative settings (AUTH_INSTANCE_CA_FILE) resolve there.
const worker = spawn(process.execPath, [path.join(__dirname, 'worker.js'), appRoot], { cwd: appRoot, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code) => process.exit(code ?? 1));
