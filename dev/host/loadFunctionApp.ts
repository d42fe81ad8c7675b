import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { installFunctionsCore, type HttpFunctionRegistration, type StartHook, type TerminateHook } from './functionsCore';

export interface LoadedFunctionApp {
  readonly routePrefix: string;
  readonly functions: readonly HttpFunctionRegistration[];
  /** The files the `main` entry in package.json resolved to, relative to the app root. */
  readonly entryFiles: readonly string[];
  /** What the app registered with app.hook.appTerminate. */
  readonly terminateHooks: readonly TerminateHook[];
  /** What the app registered with app.hook.appStart; run them with startFunctionApp before serving. */
  readonly startHooks: readonly StartHook[];
}

/**
 * Loads a function app the way Core Tools does: resolve `main` from package.json
 * (a file or a `dir/*.js` glob), require every entry file, and collect the
 * registrations; the route prefix comes from host.json.
 */
export function loadFunctionApp(appRoot: string): LoadedFunctionApp {
  const pkg = JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string') throw new Error('package.json has no "main": Core Tools would find no functions');
  const entryFiles = resolveMain(appRoot, pkg.main);
  const terminateHooks: TerminateHook[] = [];
  const startHooks: StartHook[] = [];
  const functions = installFunctionsCore(terminateHooks, startHooks);
  // The entry files are CommonJS, loaded synchronously in order, as the worker loads them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of entryFiles) require(path.join(appRoot, file));
  return { routePrefix: readRoutePrefix(appRoot), functions, entryFiles, terminateHooks, startHooks };
}

/**
 * Runs the app's appStart hooks in order, each awaited, as the Functions worker does
 * after loading the entry files and before the first invocation: a hook that rejects
 * fails the start.
 */
export async function startFunctionApp(loaded: LoadedFunctionApp): Promise<void> {
  for (const hook of loaded.startHooks) await hook({ hookData: {} });
}

function resolveMain(appRoot: string, main: string): string[] {
  if (!main.includes('*')) return [main];
  const dir = path.posix.dirname(main);
  const pattern = path.posix.basename(main);
  if (dir.includes('*') || !/^\*[\w.]*$/.test(pattern)) throw new Error(`dev host supports "main" globs of the form dir/*.js, not ${main}`);
  const suffix = pattern.slice(1);
  return readdirSync(path.join(appRoot, dir))
    .filter((file) => file.endsWith(suffix))
    .sort()
    .map((file) => path.posix.join(dir, file));
}

function readRoutePrefix(appRoot: string): string {
  const host = JSON.parse(readFileSync(path.join(appRoot, 'host.json'), 'utf8')) as { extensions?: { http?: { routePrefix?: unknown } } };
  const prefix = host.extensions?.http?.routePrefix;
  return typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api';
}
