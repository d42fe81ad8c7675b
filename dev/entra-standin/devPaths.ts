import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The port the stand-in listens on unless told otherwise; v2 issuers contain it, so it stays fixed. */
export const DEFAULT_STANDIN_PORT = 7443;

/**
 * The repository root: the nearest directory above this file holding package.json.
 * Works from the sources (dev/entra-standin) and from the build (dist-dev/dev/entra-standin).
 */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** `<repo>/.dev-state`, git-ignored: TLS material, signing keys, the running stand-ins' records. */
export function defaultStateDir(): string {
  return join(repoRoot(), '.dev-state');
}

/** The registry shipped with the repository. */
export function defaultRegistryPath(): string {
  return join(repoRoot(), 'dev', 'entra-standin', 'registry.json');
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

export function signingKeyFile(stateDir: string): string {
  return join(stateDir, 'entra-standin', 'signing-keys.json');
}
