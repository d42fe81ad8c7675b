/**
 * `npm run infra:build`: compiles infra/ with the real Bicep CLI (build, build-params,
 * lint) against a local copy of the Graph extension, and writes the ARM JSON to
 * dist-infra/ for the policy tests. Fails on any error or warning, or when no CLI can
 * be found or restored.
 *
 *   node dist-dev/dev/infra/main.js
 */
import { relative } from 'node:path';
import { formatDiagnostic } from './diagnostics';
import { ensureCompiled } from './ensureCompiled';
import { infraPaths, OUTPUT_FILES } from './infraPaths';

async function main(): Promise<number> {
  const paths = infraPaths();
  const result = await ensureCompiled({ paths, force: true });
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  for (const problem of result.problems) process.stderr.write(`${problem}\n`);
  if (result.status === 'skipped' || !result.cli) {
    process.stderr.write(`infra:build: no compile: ${result.reason ?? 'no Bicep CLI'}\n`);
    return 1;
  }
  const count = (level: string) => result.diagnostics.filter((d) => d.level === level).length;
  const where = relative(paths.root, paths.outDir);
  process.stdout.write(
    `infra:build: ${result.status === 'ok' ? 'ok' : 'FAILED'}: ${String(count('Error'))} errors, ${String(count('Warning'))} warnings, ${String(result.problems.length)} other problems; ` +
      `bicep ${result.cli.version} (${result.cli.source}), Graph extension ${result.graphExtension ?? '?'}; ${(result.durationMs / 1000).toFixed(1)} s; ${where}/${OUTPUT_FILES.template}\n`,
  );
  return result.status === 'ok' ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`infra:build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
