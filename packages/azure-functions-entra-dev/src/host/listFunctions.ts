import path from 'node:path';
import { loadFunctionApp } from './loadFunctionApp';

/**
 * Prints, as JSON, what the built app registers when loaded as Core Tools loads it.
 * Used by tests and handy for checking a build: `node packages/azure-functions-entra-dev/dist/host/listFunctions.js`.
 */
const appRoot = path.resolve(process.argv[2] ?? '.');
const loaded = loadFunctionApp(appRoot);
process.stdout.write(
  `${JSON.stringify({
    routePrefix: loaded.routePrefix,
    entryFiles: loaded.entryFiles,
    functions: loaded.functions.map(({ name, route, methods, authLevel }) => ({ name, route, methods, authLevel })),
  })}\n`,
);
