import path from 'node:path';

/** The `entra-dev` command line's script, for `spawn(process.execPath, [commandLinePath(), 'standin', ...])`. */
export function commandLinePath(): string {
  return path.join(__dirname, 'main.js');
}

/**
 * The dev host's worker script: `spawn(process.execPath, [hostWorkerPath(), appRoot], { env })`
 * serves the app with exactly the environment given (PORT included), without reading its
 * local.settings.json as `entra-dev host` does.
 */
export function hostWorkerPath(): string {
  return path.join(__dirname, '..', 'host', 'worker.js');
}
