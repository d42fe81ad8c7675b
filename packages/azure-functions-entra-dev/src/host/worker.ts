import path from 'node:path';
import { holderOf, isAddressInUse, portInUseMessage } from '../process/portInUse';
import { startDevHost } from './devHost';
import { loadFunctionApp, startFunctionApp } from './loadFunctionApp';

/** PORT is held by another process; the message says by which, and is printed without a stack. */
class PortTakenError extends Error {}

/** The dev host's worker: loads the function app from its build and serves it. */
async function main(): Promise<void> {
  const appRoot = path.resolve(process.argv[2] ?? '.');
  const port = Number(process.env.PORT ?? 7071);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT ?? ''}`);
  const app = loadFunctionApp(appRoot);
  await startFunctionApp(app);
  const host = await startDevHost({ functions: app.functions, routePrefix: app.routePrefix, port }).catch(async (error: unknown) => {
    if (!isAddressInUse(error)) throw error;
    const taken = portInUseMessage(`PORT ${String(port)}`, '127.0.0.1', await holderOf(port));
    throw new PortTakenError(`${taken}. Stop it, or serve on another port: entra-dev host --port ${String(port + 1)} (or PORT=${String(port + 1)} in the environment).`);
  });
  // One machine-readable line for tooling, then what a person wants to see.
  process.stdout.write(`${JSON.stringify({ devHost: host.url })}\n`);
  process.stdout.write('Dev host (not the Azure Functions runtime) serving:\n');
  for (const fn of app.functions) process.stdout.write(`  ${fn.name}: [${fn.methods.join(',')}] ${host.url}/${app.routePrefix}/${fn.route}\n`);
  // As the Functions worker does on shutdown: the app's appTerminate hooks run (bounded) before the exit.
  const stop = () =>
    void Promise.race([
      Promise.allSettled(app.terminateHooks.map((hook) => Promise.resolve().then(() => hook({ hookData: {} })))),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ])
      .then(() => host.stop())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof PortTakenError) process.stderr.write(`[dev-host] ${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
