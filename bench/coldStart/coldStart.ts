import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { findAppRoot, ensureLocalTls } from 'azure-functions-entra-dev/toolkit';
import { EgressGuard } from '../../dev/ingestion-standin/egressGuard';
import { IngestionStandin } from '../../dev/ingestion-standin/ingestionStandin';
import { API_CLIENT_ID, APP_ID_URI, TENANT, createTestKey, mintAccessToken } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { FakeEntraMetadataServer } from '../../packages/azure-functions-entra-auth/test/support/fakeEntraMetadataServer';
import { median, pairedRatio, quantile } from '../support/stats';
import { formatTable, verdict } from '../support/table';
import { launchOnce, type LaunchTiming } from './appLaunch';

/**
 * Cold start of what ships, beside a bare hello app under the same worker:
 *
 *   node dist-bench/bench/coldStart/coldStart.js [--runs 5]
 *
 * Needs `npm run build` (dist/) and `npm run build:dev` (dist-dev/); builds the
 * deployment package itself (dev/package, into a temporary folder). Each run spawns a
 * new Node process serving an app in the dev host worker (which loads package.json
 * "main" and runs the appStart hooks, as the Functions worker does) and times spawn →
 * first authorized 200 over HTTP, from a fake Entra and an ingestion stand-in on
 * 127.0.0.1. Variants, interleaved run by run, the order rotating from round to round:
 *   hello              a bare @azure/functions app, one anonymous function (the reference)
 *   package            the deployment package, no APPLICATIONINSIGHTS_* setting
 *   package+telemetry  the deployment package with a connection string to the ingestion
 *                      stand-in; each run also checks that its AuthFailure event arrives
 *   dist+telemetry     the tsc build (what `func start` loads) with telemetry (reference)
 *   eager              package+telemetry, plus the SDK bundle required at process start:
 *                      what loading the SDK up front would cost (reference)
 * A report, not a gate: the exit code is 1 only when something is broken.
 */
const GOAL = 1.5;
const AIM = 1.3;
const run = promisify(execFile);

type VariantName = 'hello' | 'package' | 'package+telemetry' | 'dist+telemetry' | 'eager';

interface Variant {
  readonly name: VariantName;
  readonly appRoot: string;
  readonly telemetry: boolean;
  readonly nodeOptions?: string;
  readonly timings: LaunchTiming[];
}

interface PackageSummary {
  readonly files: number;
  readonly bytes: number;
  readonly bundles: readonly { readonly file: string; readonly bytes: number; readonly sourceMapBytes: number; readonly contributors: readonly { name: string; bytes: number }[] }[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  const root = findAppRoot(__dirname);
  const worker = path.join(root, 'packages/azure-functions-entra-dev/dist/host/worker.js');
  for (const needed of [worker, path.join(root, 'dist/functions'), path.join(root, 'dist-dev/dev/package/main.js')]) {
    if (!existsSync(needed)) throw new Error(`missing ${path.relative(root, needed)}: run npm run build && npm run build:dev first`);
  }
  const print = (line = '') => void process.stdout.write(`${line}\n`);
  print(`node ${process.version} on ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);

  const dir = await mkdtemp(path.join(tmpdir(), 'cold-start-'));
  const packageDir = path.join(dir, 'package');
  const { stdout: packaged } = await run(process.execPath, [path.join(root, 'dist-dev/dev/package/main.js'), '--out', packageDir, '--quiet'], { cwd: root });
  printPackage(print, JSON.parse(packaged) as PackageSummary);
  const helloDir = await writeHelloApp();

  print();
  print(`== cold start: process start → first authorized 200 (${runs} runs per variant, interleaved; dev host worker)`);
  const requireTimes = await measureRequires(root, packageDir, runs);
  const tls = await ensureLocalTls({ stateDir: dir });
  const [ingestion, entra, guard] = await Promise.all([
    IngestionStandin.start({ certPem: tls.certPem, keyPem: tls.keyPem }),
    new FakeEntraMetadataServer().start(),
    EgressGuard.start(),
  ]);
  try {
    const key = createTestKey('cold-start');
    entra.setKeys([key.publicJwk]);
    const token = await mintAccessToken(key, { instance: entra.url, roles: ['Orders.Read'] });
    const baseEnv = {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      AUTH_TENANT_ID: TENANT,
      AUTH_CLIENT_ID: API_CLIENT_ID,
      AUTH_APP_ID_URI: APP_ID_URI,
      AUTH_INSTANCE: entra.url,
      // Never contacted on /api/me: the orders store loads @azure/data-tables on its first call.
      ORDERS_STORAGE: 'UseDevelopmentStorage=true',
    };
    const variants: Variant[] = [
      { name: 'hello', appRoot: helloDir, telemetry: false, timings: [] },
      { name: 'package', appRoot: packageDir, telemetry: false, timings: [] },
      { name: 'package+telemetry', appRoot: packageDir, telemetry: true, timings: [] },
      { name: 'dist+telemetry', appRoot: root, telemetry: true, timings: [] },
      { name: 'eager', appRoot: packageDir, telemetry: true, nodeOptions: `--require ${path.join(packageDir, 'dist/vendor/applicationinsights.js')}`, timings: [] },
    ];
    for (let round = 0; round < runs; round++) {
      // Rotated each round, so no variant always follows the same one.
      for (const variant of variants.map((_, i) => variants[(i + round) % variants.length] as Variant)) {
        const ikey = randomUUID();
        const runTmp = path.join(dir, `${variant.name}-${round}`);
        await mkdir(runTmp);
        // Every variant runs in the same environment (CA file, proxy guard, TMPDIR): only the app and its settings differ.
        const environment = {
          NODE_EXTRA_CA_CERTS: tls.caPath,
          TMPDIR: runTmp,
          ...guard.environment,
          ...(variant.nodeOptions && { NODE_OPTIONS: variant.nodeOptions }),
        };
        const telemetryEnv = variant.telemetry
          ? {
              APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString(ikey),
              APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
              APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
              APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
            }
          : {};
        const timing = await launchOnce({
          script: worker,
          args: [variant.appRoot],
          cwd: variant.appRoot,
          env: { ...baseEnv, ...environment, ...telemetryEnv },
          token,
          path: '/api/me',
          ...(variant.telemetry && {
            telemetryArrived: () => ingestion.waitFor((standin) => standin.events('AuthFailure', ikey).length > 0, 30_000, `AuthFailure for ${variant.name} run ${round + 1}`),
          }),
        });
        variant.timings.push(timing);
      }
    }
    report(print, variants, requireTimes);
    print(`load average at the end ${loadavg().map((n) => n.toFixed(2)).join(' ')} (the runs' own processes included; the machine has ${cpus().length} cores)`);
    if (guard.attempts.length > 0) print(`egress attempts held at the local guard (not sent): ${[...new Set(guard.attempts)].join(', ')}`);
  } finally {
    await Promise.all([ingestion.stop(), entra.stop(), guard.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The hello app's package.json and host.json, beside its build in dist-bench (so @azure/functions resolves from the repository). */
async function writeHelloApp(): Promise<string> {
  const helloDir = path.join(__dirname, 'helloApp');
  await writeFile(path.join(helloDir, 'package.json'), `${JSON.stringify({ name: 'hello', private: true, main: 'index.js' })}\n`);
  await writeFile(path.join(helloDir, 'host.json'), `${JSON.stringify({ version: '2.0' })}\n`);
  return helloDir;
}

function printPackage(print: (line?: string) => void, summary: PackageSummary): void {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  print(`== deployment package (npm run package): ${summary.files} files, ${mb(summary.bytes)}`);
  for (const bundle of summary.bundles) {
    const top = bundle.contributors.slice(0, 5).map((contributor) => `${contributor.name} ${mb(contributor.bytes)}`).join(', ');
    print(`  ${bundle.file} ${mb(bundle.bytes)} + map ${mb(bundle.sourceMapBytes)}: ${top}`);
  }
}

interface RequireTimes {
  readonly appInsights: number[];
  readonly bundledAppInsights: number[];
  readonly functions: number[];
  readonly nodeStart: number[];
}

/** `require()` times in fresh processes, as `node -e` sees them. */
async function measureRequires(root: string, packageDir: string, runs: number): Promise<RequireTimes> {
  const time = async (moduleName: string) => {
    const { stdout } = await run(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(moduleName)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`], { cwd: root });
    return Number(stdout);
  };
  const bundledSdk = path.join(packageDir, 'dist/vendor/applicationinsights.js');
  const nodeStart = async () => {
    const started = performance.now();
    await run(process.execPath, ['-e', '0'], { cwd: root });
    return performance.now() - started;
  };
  const times: RequireTimes = { appInsights: [], bundledAppInsights: [], functions: [], nodeStart: [] };
  for (let i = 0; i < runs; i++) {
    times.appInsights.push(await time('applicationinsights'));
    times.bundledAppInsights.push(await time(bundledSdk));
    times.functions.push(await time('@azure/functions'));
    times.nodeStart.push(await nodeStart());
  }
  return times;
}

function report(print: (line?: string) => void, variants: readonly Variant[], requires: RequireTimes): void {
  const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(0));
  const pick = (variant: Variant, field: keyof LaunchTiming) => variant.timings.map((timing) => timing[field]).filter((value): value is number => value !== undefined);
  print();
  for (const line of formatTable(
    ['variant', 'first 200 ms', 'min', 'max', 'CPU ms by then', 'ready ms', 'event at ingestion ms', 'SDK load held loop ms'],
    variants.map((variant) => {
      const first = pick(variant, 'firstAuthorizedMs');
      return [
        variant.name,
        ms(median(first)),
        ms(quantile(first, 0)),
        ms(quantile(first, 1)),
        ms(median(pick(variant, 'firstAuthorizedCpuMs'))),
        ms(median(pick(variant, 'readyMs'))),
        variant.telemetry ? ms(median(pick(variant, 'telemetryAtIngestionMs'))) : '',
        variant.telemetry ? ms(median(pick(variant, 'sdkBlockedMs'))) : '',
      ];
    }),
  )) {
    print(line);
  }
  const byName = (name: VariantName) => variants.find((variant) => variant.name === name) as Variant;
  const hello = byName('hello');
  const ratio = (variant: Variant, field: 'firstAuthorizedMs' | 'firstAuthorizedCpuMs' = 'firstAuthorizedMs') => pairedRatio(pick(variant, field), pick(hello, field));
  const x = (value: number) => (Number.isNaN(value) ? '–' : `${value.toFixed(2)}×`);
  const row = (label: string, variant: Variant, goals: boolean): string[] => {
    const wall = ratio(variant);
    const cpu = ratio(variant, 'firstAuthorizedCpuMs');
    return goals
      ? [label, x(wall), `≤ ${GOAL}×`, verdict(wall <= GOAL), `≤ ${AIM}×`, verdict(wall <= AIM), x(cpu), verdict(cpu <= GOAL)]
      : [label, x(wall), '', '', '', '', x(cpu), ''];
  };
  print();
  for (const line of formatTable(
    ['ratio to hello, first 200 (paired by round)', 'wall', 'goal', 'result', 'aim', 'result', 'CPU', 'CPU ≤ goal'],
    [
      row('package+telemetry / hello', byName('package+telemetry'), true),
      row('package / hello', byName('package'), false),
      row('dist+telemetry / hello (reference)', byName('dist+telemetry'), false),
      row('eager / hello (reference)', byName('eager'), false),
    ],
  )) {
    print(line);
  }
  print();
  print(
    `require('applicationinsights') ${ms(median(requires.appInsights))} ms median from node_modules, ${ms(median(requires.bundledAppInsights))} ms as the package's bundle; ` +
      `require('@azure/functions') ${ms(median(requires.functions))} ms; process start (node -e 0) ${ms(median(requires.nodeStart))} ms`,
  );
  print('telemetry loads the SDK once the app has been quiet for 0.5 s after its first auth event (at most 10 s after it), so the first response never waits for it;');
  print('a request arriving while it loads waits for "SDK load held loop ms". The appStart hook starts the Entra discovery and key fetches without waiting for them.');
}

main().catch((error: unknown) => {
  process.stderr.write(`cold-start bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
