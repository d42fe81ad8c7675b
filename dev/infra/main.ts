/**
 * `npm run infra:build`: compiles infra/ with the real Bicep CLI (build, build-params,
 * lint) against a local copy of the Graph extension, and writes the ARM JSON to
 * dist-infra/ for the policy tests. Fails on any error or warning, or when no CLI can
 * be found or restored.
 *
 *   node dist-dev/dev/infra/main.js [--infra <dir>] [--out <dir>]
 *
 * --infra compiles another copy of infra/ (a scratch copy, say) and --out writes elsewhere.
 */
import { relative, resolve } from 'node:path';
import { formatDiagnostic } from './diagnostics';
import { ensureCompiled } from './ensureCompiled';
import { infraPaths, OUTPUT_FILES } from './infraPaths';

function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (!value || value.startsWith('--')) throw new TypeError(`${name} needs a directory`);
  return resolve(value);
}

async function main(argv: readonly string[]): Promise<number> {
  const defaults = infraPaths();
  const infraDir = option(argv, '--infra');
  const paths = { ...defaults, infraDir: infraDir ?? defaults.infraDir, outDir: option(argv, '--out') ?? defaults.outDir };
  const result = await ensureCompiled({ paths, force: true });
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  for (const problem of result.problems) process.stderr.write(`${problem}\n`);
  if (result.status === 'skipped' || !result.cli) {
    process.stderr.write(`infra:build: no compile: ${result.reason ?? 'no Bicep CLI'}\n`);
    return 1;
  }
  const count = (level: string) => result.diagnostics.filter((d) => d.level === level).length;
  const fromRoot = relative(paths.root, paths.outDir);
  const where = fromRoot.startsWith('..') ? paths.outDir : fromRoot;
  (result.status === 'ok' ? process.stdout : process.stderr).write(
    `infra:build: ${result.status === 'ok' ? 'ok' : 'FAILED'}: ${String(count('Error'))} errors, ${String(count('Warning'))} warnings, ${String(result.problems.length)} other problems; ` +
      `bicep ${result.cli.version} (${result.cli.source}), Graph extension ${result.graphExtension ?? '?'}; ${(result.durationMs / 1000).toFixed(1)} s; ${where}/${OUTPUT_FILES.template}\n`,
  );
  return result.status === 'ok' ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`infra:build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
