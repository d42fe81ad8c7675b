import { spawn } from 'node:child_process';
import path from 'node:path';
import { localEnvironment } from './localSettings';

/**
 * `npm run serve`: runs the built function app in the dev host on PORT (default
 * 7071). Like Core Tools, it starts the app in a child process whose environment
 * includes local.settings.json Values (the environment wins, so a NODE_EXTRA_CA_CERTS the
 * machine sets replaces the one there; AUTH_INSTANCE_CA_FILE still trusts the stand-in).
 */
const appRoot = path.resolve(__dirname, '../../..');
const env = localEnvironment(appRoot, process.env);
// In the app root, as the Functions host runs its worker: relative settings (AUTH_INSTANCE_CA_FILE) resolve there.
const worker = spawn(process.execPath, [path.join(__dirname, 'worker.js'), appRoot], { cwd: appRoot, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code) => process.exit(code ?? 1));
