import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
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
  /** The worker's start-up handshake with the app's programming model (HTTP streaming). */
  readonly negotiate: () => Promise<void>;
}

/**
 * Loads a function app the way Core Tools does: resolve `main` from package.json
 * (a file or a glob, see resolveMain), require every entry file, and collect the
 * registrations; the route prefix comes from host.json.
 */
export function loadFunctionApp(appRoot: string): LoadedFunctionApp {
  const pkg = JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string') throw new Error('package.json has no "main": Core Tools would find no functions');
  const entryFiles = resolveMain(appRoot, pkg.main);
  const terminateHooks: TerminateHook[] = [];
  const startHooks: StartHook[] = [];
  const core = installFunctionsCore(terminateHooks, startHooks);
  // The entry files are CommonJS, loaded synchronously in order, as the worker loads them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of entryFiles) require(path.join(appRoot, file));
  return { routePrefix: readRoutePrefix(appRoot), functions: core.registrations, entryFiles, terminateHooks, startHooks, negotiate: () => core.negotiate() };
}

/**
 * The worker's start after loading the entry files and before the first invocation: asks
 * the programming model for its capabilities (an app that enabled HTTP streaming answers
 * with its proxy), then runs the app's appStart hooks in order, each awaited; a hook that
 * rejects fails the start.
 */
export async function startFunctionApp(loaded: LoadedFunctionApp): Promise<void> {
  await loaded.negotiate();
  for (const hook of loaded.startHooks) await hook({ hookData: {} });
}

/**
 * `main` as the Functions worker reads it: a file, or a glob with `*` / `?` inside a path
 * segment and `{a,b}` alternatives (func init's TypeScript apps use
 * `dist/src/{index.js,functions/*.js}`). Files come in pattern order, each pattern's
 * matches sorted; a pattern that matches nothing is an error, as a missing build is.
 */
export function resolveMain(appRoot: string, main: string): string[] {
  const files: string[] = [];
  for (const pattern of expandBraces(main)) {
    const matches = matchPattern(appRoot, pattern.split('/'));
    if (matches.length === 0) throw new Error(`package.json "main" (${main}) matches no file for ${pattern}: build the app first`);
    for (const match of matches) if (!files.includes(match)) files.push(match);
  }
  return files;
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0 || pattern.indexOf('{', open + 1) > -1 && pattern.indexOf('{', open + 1) < close) {
    throw new Error(`dev host cannot read the "main" glob ${pattern}: unbalanced or nested braces`);
  }
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern
    .slice(open + 1, close)
    .split(',')
    .flatMap((choice) => expandBraces(`${head}${choice}${tail}`));
}

function matchPattern(root: string, segments: readonly string[], prefix = ''): string[] {
  const [segment, ...rest] = segments;
  if (segment === undefined) return [prefix];
  if (segment === '**') throw new Error('dev host does not follow ** in "main": name the folders');
  const here = path.join(root, prefix);
  const names = /[*?]/.test(segment) ? readdirSync(here).filter((name) => segmentRegex(segment).test(name)).sort() : [segment];
  return names.flatMap((name) => {
    const next = prefix === '' ? name : `${prefix}/${name}`;
    if (rest.length === 0) return existsSync(path.join(root, next)) && statSync(path.join(root, next)).isFile() ? [next] : [];
    return existsSync(path.join(root, next)) ? matchPattern(root, rest, next) : [];
  });
}

function segmentRegex(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function readRoutePrefix(appRoot: string): string {
  const host = JSON.parse(readFileSync(path.join(appRoot, 'host.json'), 'utf8')) as { extensions?: { http?: { routePrefix?: unknown } } };
  const prefix = host.extensions?.http?.routePrefix;
  return typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api';
}
