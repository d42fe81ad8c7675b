import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findBicepCli } from './bicepCli';
import { compileInfra, inputsHash, readResult, writeResult, type CompileResult } from './compileInfra';
import { infraPaths, OUTPUT_FILES, type InfraPaths } from './infraPaths';

export interface EnsureOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly paths?: InfraPaths;
  /** Compile even when outDir already holds a successful compile of the same inputs. */
  readonly force?: boolean;
}

/**
 * The compiled ARM JSON for the current infra/: reused when outDir already holds a
 * successful compile of exactly these inputs, otherwise compiled now. With no CLI to be
 * had the result is 'skipped', except under CI with dotnet present, where it is 'failed':
 * CI must never pass on a skipped compile.
 */
export async function ensureCompiled(options: EnsureOptions = {}): Promise<CompileResult & { reused: boolean }> {
  const env = options.env ?? process.env;
  const paths = options.paths ?? infraPaths(env);
  const hash = inputsHash(paths.infraDir, paths.graphTypesDir);
  const previous = readResult(paths.outDir);
  const outputsPresent = [OUTPUT_FILES.template, OUTPUT_FILES.parameters].every((file) => existsSync(join(paths.outDir, file)));
  if (!options.force && previous?.status === 'ok' && previous.inputsHash === hash && outputsPresent) return { ...previous, reused: true };

  const started = Date.now();
  const lookup = await findBicepCli(paths.cacheDir, env);
  if (!lookup.found) {
    const required = Boolean(env.CI) && lookup.dotnet;
    const result = writeResult(paths.outDir, {
      status: required ? 'failed' : 'skipped',
      reason: required ? `CI is set and dotnet is present, but ${lookup.reason}` : lookup.reason,
      inputsHash: hash,
      diagnostics: [],
      problems: required ? [lookup.reason] : [],
      durationMs: Date.now() - started,
    });
    return { ...result, reused: false };
  }
  const result = await compileInfra({ cli: lookup.cli, infraDir: paths.infraDir, outDir: paths.outDir, cacheDir: paths.cacheDir, graphTypesDir: paths.graphTypesDir, env });
  return { ...result, reused: false };
}
