import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { BicepCli } from './bicepCli';
import { parseDiagnostics, uniqueDiagnostics, type BicepDiagnostic } from './diagnostics';
import { GRAPH_EXTENSION_REGISTRY, GRAPH_EXTENSION_VERSION, OUTPUT_FILES } from './infraPaths';

/** Bump when what this tool writes changes shape, so older outputs are rebuilt. */
const TOOL_REVISION = '1';

export interface CompileResult {
  readonly status: 'ok' | 'failed' | 'skipped';
  /** Why the compile was skipped or could not run; absent when it ran. */
  readonly reason?: string;
  /** Hash of infra/ and the Graph type index: tests use the outputs only while it matches. */
  readonly inputsHash: string;
  readonly cli?: BicepCli;
  /** 'local' when the Graph extension was built from the reference type index. */
  readonly graphExtension?: 'local' | 'registry';
  readonly diagnostics: readonly BicepDiagnostic[];
  /** Non-zero exits and output lines that are not diagnostics. */
  readonly problems: readonly string[];
  readonly durationMs: number;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Every file under infra/ (names and bytes) and the Graph type index: what the compile reads. */
export function inputsHash(infraDir: string, graphTypesDir: string): string {
  const hash = createHash('sha256').update(`rev ${TOOL_REVISION}\n`);
  for (const [base, dir] of [
    ['infra', infraDir],
    ['graph', graphTypesDir],
  ] as const) {
    for (const file of filesUnder(dir)) {
      hash.update(`${base}/${relative(dir, file).split('\\').join('/')}\n`);
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex');
}

interface Run {
  readonly code: number;
  readonly stderr: string;
}

function runCli(cli: BicepCli, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cli.path, args, { cwd, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stderr: error && !stderr ? error.message : stderr });
    });
  });
}

/**
 * Builds the Microsoft Graph extension from its published type index, once per index,
 * into the cache. Written under a temporary name and renamed, so a concurrent run never
 * sees half a file.
 */
async function localGraphExtension(cli: BicepCli, graphTypesDir: string, cacheDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const digest = inputsHash(join(cacheDir, 'no-infra'), graphTypesDir).slice(0, 16);
  const target = join(cacheDir, 'extensions', `microsoftgraph-v1.0-${GRAPH_EXTENSION_VERSION}-${digest}.tgz`);
  if (existsSync(target)) return target;
  mkdirSync(join(cacheDir, 'extensions'), { recursive: true });
  const partial = `${target}.${String(process.pid)}.partial`;
  // publish-extension is experimental and says so on stderr; only its exit code matters.
  const result = await runCli(cli, ['publish-extension', join(graphTypesDir, 'index.json'), '--target', partial, '--force'], graphTypesDir, env);
  if (result.code !== 0 || !existsSync(partial)) {
    rmSync(partial, { force: true });
    throw new Error(`bicep publish-extension failed (${String(result.code)}): ${result.stderr.trim()}`);
  }
  renameSync(partial, target);
  return target;
}

/** Points every reference to the Graph extension's registry at the local copy. */
function useLocalGraphExtension(configPath: string, localExtension: string): void {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { extensions?: Record<string, string> };
  const extensions = config.extensions ?? {};
  for (const [name, reference] of Object.entries(extensions)) {
    if (reference === `${GRAPH_EXTENSION_REGISTRY}:${GRAPH_EXTENSION_VERSION}`) extensions[name] = localExtension;
    else if (reference.startsWith(GRAPH_EXTENSION_REGISTRY)) {
      throw new Error(`bicepconfig.json names ${reference}, but the local type index is version ${GRAPH_EXTENSION_VERSION}`);
    }
  }
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
}

export interface CompileOptions {
  readonly cli: BicepCli;
  /** The Bicep sources to compile (infra/, or a scratch copy of it). */
  readonly infraDir: string;
  readonly outDir: string;
  readonly cacheDir: string;
  readonly graphTypesDir: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Which CLI steps to run; all three unless given (a scratch check may need only build). */
  readonly steps?: readonly CompileStep[];
}

export type CompileStep = 'build' | 'build-params' | 'lint';

/**
 * Compiles a temporary copy of infra/ with the real Bicep CLI: `build` of main.bicep,
 * `build-params` of main.bicepparam and `lint` of every file, in parallel. Any error or
 * warning fails the result. Writes the ARM JSON and result.json to outDir.
 */
export async function compileInfra(options: CompileOptions): Promise<CompileResult> {
  const started = Date.now();
  const hash = inputsHash(options.infraDir, options.graphTypesDir);
  // The parameters file reads these; the checks compile what a fresh environment gets.
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), DOTNET_CLI_TELEMETRY_OPTOUT: '1' };
  delete env.AZURE_ENV_NAME;
  delete env.AZURE_LOCATION;
  const work = mkdtempSync(join(tmpdir(), 'infra-build-'));
  const workInfra = join(work, 'infra');
  const problems: string[] = [];
  let diagnostics: BicepDiagnostic[] = [];
  let graphExtension: CompileResult['graphExtension'] = 'registry';
  try {
    cpSync(options.infraDir, workInfra, { recursive: true });
    if (existsSync(join(options.graphTypesDir, 'index.json'))) {
      useLocalGraphExtension(join(workInfra, 'bicepconfig.json'), await localGraphExtension(options.cli, options.graphTypesDir, options.cacheDir, env));
      graphExtension = 'local';
    } else if (env.CI) {
      // CI has no registry access: fail now rather than after a minute of the CLI's retries.
      throw new Error(`no Graph type index at ${options.graphTypesDir} (CI clones need shared/ beside them)`);
    }
    // Extensions are restored into the CLI's artifact cache once, before the parallel steps,
    // so they do not race to write it; --no-restore then keeps those steps off the network.
    const restored = await runCli(options.cli, ['restore', 'main.bicep'], workInfra, env);
    if (restored.code !== 0) throw new Error(`bicep restore failed (${String(restored.code)}): ${restored.stderr.trim()}`);
    const noRestore = ['--no-restore'];
    const out = join(work, 'out');
    mkdirSync(out);
    const allSteps: [CompileStep, string[]][] = [
      ['build', ['build', 'main.bicep', '--outfile', join(out, OUTPUT_FILES.template), ...noRestore]],
      ['build-params', ['build-params', 'main.bicepparam', '--outfile', join(out, OUTPUT_FILES.parameters), ...noRestore]],
      ['lint', ['lint', '--pattern', '**/*.bicep*', ...noRestore]],
    ];
    const steps = allSteps.filter(([step]) => !options.steps || options.steps.includes(step));
    const runs = await Promise.all(steps.map(([, args]) => runCli(options.cli, args, workInfra, env)));
    runs.forEach((result, i) => {
      const parsed = parseDiagnostics(result.stderr, workInfra);
      diagnostics.push(...parsed.diagnostics);
      const step = steps[i]?.[0] ?? '?';
      problems.push(...parsed.unrecognised.map((line) => `bicep ${step}: ${line}`));
      if (result.code !== 0) problems.push(`bicep ${step} exited with ${String(result.code)}`);
    });
    diagnostics = uniqueDiagnostics(diagnostics);
    mkdirSync(options.outDir, { recursive: true });
    const written = steps.flatMap(([step]) => (step === 'build' ? [OUTPUT_FILES.template] : step === 'build-params' ? [OUTPUT_FILES.parameters] : []));
    for (const file of [OUTPUT_FILES.template, OUTPUT_FILES.parameters]) rmSync(join(options.outDir, file), { force: true });
    for (const file of written) {
      if (existsSync(join(out, file))) cpSync(join(out, file), join(options.outDir, file));
      else problems.push(`bicep wrote no ${file}`);
    }
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const failed = problems.length > 0 || diagnostics.some((d) => d.level !== 'Info');
  return writeResult(options.outDir, {
    status: failed ? 'failed' : 'ok',
    inputsHash: hash,
    cli: options.cli,
    graphExtension,
    diagnostics,
    problems,
    durationMs: Date.now() - started,
  });
}

export function writeResult(outDir: string, result: CompileResult): CompileResult {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, OUTPUT_FILES.result), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

export function readResult(outDir: string): CompileResult | undefined {
  try {
    return JSON.parse(readFileSync(join(outDir, OUTPUT_FILES.result), 'utf8')) as CompileResult;
  } catch {
    return undefined;
  }
}
