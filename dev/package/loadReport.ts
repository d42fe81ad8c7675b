import path from 'node:path';
import { loadFunctionApp, startFunctionApp } from 'azure-functions-entra-dev/host';

/**
 * Loads a function app as the Functions worker does (package.json "main", then the
 * appStart hooks, awaited) and prints, as one JSON line, what it registered and which
 * files and Node built-ins were loaded for it: the check that a configuration loads no
 * module it does not use. Settings come from the environment.
 *
 *   node dist-dev/dev/package/loadReport.js <app-root>
 */
async function main(): Promise<void> {
  const appRoot = path.resolve(process.argv[2] ?? '.');
  const before = new Set(Object.keys(require.cache));
  const builtinsBefore = new Set(loadedBuiltins());
  const loaded = loadFunctionApp(appRoot);
  await startFunctionApp(loaded);
  // Lets the appStart warm-up's fetches run their course, so what they load is counted too.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const modules = Object.keys(require.cache)
    .filter((file) => !before.has(file))
    .map((file) => path.relative(appRoot, file).split(path.sep).join('/'));
  process.stdout.write(
    `${JSON.stringify({
      node: process.version,
      entryFiles: loaded.entryFiles,
      functions: loaded.functions.map(({ name, route, methods, authLevel }) => ({ name, route, methods, authLevel })),
      startHooks: loaded.startHooks.length,
      terminateHooks: loaded.terminateHooks.length,
      modules,
      builtins: loadedBuiltins().filter((name) => !builtinsBefore.has(name)),
    })}\n`,
  );
  // The warm-up may still be waiting on an unreachable key endpoint; that must not keep the report from ending.
  process.exit(0);
}

/** Node's own modules loaded so far (internal ones included, e.g. internal/deps/undici/undici behind fetch). */
function loadedBuiltins(): string[] {
  const list = (process as unknown as { moduleLoadList?: readonly string[] }).moduleLoadList ?? [];
  return list.flatMap((entry) => (entry.startsWith('NativeModule ') ? [entry.slice('NativeModule '.length)] : []));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
