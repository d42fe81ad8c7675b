import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The port the stand-in listens on unless told otherwise; v2 issuers contain it, so it stays fixed. */
export const DEFAULT_STANDIN_PORT = 7443;

/** The app's registrations for the stand-in, a file the app owns beside its local.settings.json. */
export const REGISTRY_FILE_NAME = 'local.entra.json';

/**
 * The app's root: the nearest directory at or above `from` holding package.json. The
 * default is the working directory, where `npm run` and `npx` start a command, so
 * every command of this package acts on the app it was run in.
 */
export function findAppRoot(from: string = process.cwd()): string {
  const start = resolve(from);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json at or above ${start}: run this in a Functions app's folder`);
  }
}

/** `<app>/.dev-state` (git-ignore it): TLS material, signing keys, the running stand-ins' records. */
export function defaultStateDir(appRoot: string = findAppRoot()): string {
  return join(appRoot, '.dev-state');
}

/** `<app>/local.entra.json`: the clients, APIs, roles and scopes the stand-in knows. */
export function defaultRegistryPath(appRoot: string = findAppRoot()): string {
  return join(appRoot, REGISTRY_FILE_NAME);
}

/** Where running stand-ins describe themselves (URL, tenant, CA) for other processes, one file each. */
export function runningStandinsDir(stateDir: string): string {
  return join(stateDir, 'entra-standin', 'running');
}

/**
 * The record of one running stand-in. Named by its process and port so each stand-in
 * writes and removes only its own: several (npm start's, the demo's, a test's) can run at once.
 */
export function runningStandinFile(stateDir: string, pid: number, port: number): string {
  return join(runningStandinsDir(stateDir), `pid-${String(pid)}-port-${String(port)}.json`);
}

/** Which of the stand-in's tenants: its workforce tenant, or the same tenant as External ID or B2C. */
export type StandinAuthorityKind = 'workforce' | 'externalId' | 'b2c';

const KEY_FILES: Readonly<Record<StandinAuthorityKind, string>> = { workforce: 'signing-keys.json', externalId: 'signing-keys-external-id.json', b2c: 'signing-keys-b2c.json' };

/**
 * Each authority kind signs with keys of its own, as Entra, External ID and B2C do: a key
 * in one set never verifies a token routed to another, so local runs exercise that too.
 */
export function signingKeyFile(stateDir: string, authority: StandinAuthorityKind = 'workforce'): string {
  return join(stateDir, 'entra-standin', KEY_FILES[authority]);
}
