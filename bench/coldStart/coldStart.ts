import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../dev/entra-standin/devPaths';
import { EgressGuard } from '../../dev/ingestion-standin/egressGuard';
import { IngestionStandin } from '../../dev/ingestion-standin/ingestionStandin';
import { ensureLocalTls } from '../../dev/tls/localTls';
import { API_CLIENT_ID, APP_ID_URI, TENANT, createTestKey, mintAccessToken } from '../../test/support/entraTokens';
import { FakeEntraMetadataServer } from '../../test/support/fakeEntraMetadataServer';
import { median, pairedRatio, quantile } from '../support/stats';
import { formatTable, verdict } from '../support/table';
import { launchOnce, type LaunchTiming } from './appLaunch';

/**
 * Cold start with and without Application Insights:
 *
 *   node dist-bench/bench/coldStart/coldStart.js [--runs 5] [--app real|driver]
 *
 * Needs `npm run build` (dist/) and `npm run build:dev` (dist-dev/). Each run spawns a
 * new Node process serving the app in the dev host and times spawn → first authorized
 * 200 over HTTP (the first request also fetches Entra metadata and keys, from a fake
 * Entra on 127.0.0.1). Variants, interleaved run by run:
 *   bare       the app, no APPLICATIONINSIGHTS_* setting: no telemetry
 *   telemetry  the app with a connection string to a local ingestion stand-in (HTTPS);
 *              each run also checks that its AuthFailure event reaches the stand-in
 *   eager      as telemetry, plus `--require applicationinsights` at process start: what
 *              loading the SDK up front would cost (reference only)
 * One run of each per round, the order rotating from round to round.
 * `--app real` (default) runs the built function app (dist/functions via the dev host
 * worker): it has telemetry only once lib/app/runtime.ts wires startAuthTelemetry.
 * `--app driver` runs dev/ingestion-standin/telemetryAppWorker, which wires it itself.
 * A report, not a gate: the exit code is 1 only when something is broken.
 */
const GOAL = 2.5;
const run = promisify(execFile);

interface Variant {
  readonly name: 'bare' | 'telemetry' | 'eager';
  readonly telemetry: boolean;
  readonly timings: LaunchTiming[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, app: { type: 'string', default: 'real' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  if (values.app !== 'real' && values.app !== 'driver') throw new Error('--app must be real or driver');
  const root = repoRoot(__dirname);
  const worker = values.app === 'real' ? path.join(root, 'dist-dev/dev/host/worker.js') : path.join(root, 'dist-dev/dev/ingestion-standin/telemetryAppWorker.js');
  for (const needed of [worker, path.join(root, 'dist/functions')]) {
    if (!existsSync(needed)) throw new Error(`missing ${path.relative(root, needed)}: run npm run build && npm run build:dev first`);
  }
  const print = (line = '') => void process.stdout.write(`${line}\n`);
  print(`node ${process.version} on ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  print(`== cold start: process start → first authorized 200 (${runs} runs per variant, interleaved; app: ${values.app === 'real' ? 'dist/ in the dev host' : 'telemetryAppWorker'})`);

  const requireTimes = await measureRequires(root, runs);
  const dir = await mkdtemp(path.join(tmpdir(), 'cold-start-'));
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
      { name: 'bare', telemetry: false, timings: [] },
      { name: 'telemetry', telemetry: true, timings: [] },
      { name: 'eager', telemetry: true, timings: [] },
    ];
    let inactive = false;
    for (let round = 0; round < runs; round++) {
      // Rotated each round, so no variant always follows the same one.
      for (const variant of variants.map((_, i) => variants[(i + round) % variants.length] as Variant)) {
        const ikey = randomUUID();
        const runTmp = path.join(dir, `${variant.name}-${round}`);
        await mkdir(runTmp);
        const telemetryEnv = variant.telemetry
          ? {
              APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString(ikey),
              NODE_EXTRA_CA_CERTS: tls.caPath,
              TMPDIR: runTmp,
              APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
              APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
              APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
              ...guard.environment,
              ...(variant.name === 'eager' && { NODE_OPTIONS: '--require applicationinsights' }),
            }
          : {};
        const timing = await launchOnce({
          script: worker,
          args: [root],
          cwd: root,
          env: { ...baseEnv, ...telemetryEnv },
          token,
          path: '/api/me',
          ...(variant.telemetry && {
            telemetryArrived: () =>
              ingestion.waitFor((standin) => standin.events('AuthFailure', ikey).length > 0, 30_000, `AuthFailure for ${variant.name} run ${round + 1}`).catch((error: unknown) => {
                inactive = true;
                throw error;
              }),
          }),
        }).catch((error: unknown) => {
          if (inactive) {
            throw new Error(
              `telemetry is not active in ${values.app === 'real' ? 'the built app: apply the runtime.ts wiring (startAuthTelemetry), npm run build, or use --app driver' : 'the driver'}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
          throw error;
        });
        variant.timings.push(timing);
      }
    }
    report(print, variants, requireTimes);
    if (guard.attempts.length > 0) print(`egress attempts held at the local guard (not sent): ${[...new Set(guard.attempts)].join(', ')}`);
  } finally {
    await Promise.all([ingestion.stop(), entra.stop(), guard.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

interface RequireTimes {
  readonly appInsights: number[];
  readonly functions: number[];
  readonly nodeStart: number[];
}

/** `require()` times in fresh processes, as `node -e` sees them. */
async function measureRequires(root: string, runs: number): Promise<RequireTimes> {
  const time = async (moduleName: string) => {
    const { stdout } = await run(process.execPath, ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(moduleName)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`], { cwd: root });
    return Number(stdout);
  };
  const nodeStart = async () => {
    const started = performance.now();
    await run(process.execPath, ['-e', '0'], { cwd: root });
    return performance.now() - started;
  };
  const times: RequireTimes = { appInsights: [], functions: [], nodeStart: [] };
  for (let i = 0; i < runs; i++) {
    times.appInsights.push(await time('applicationinsights'));
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
    ['variant', 'first 200 ms', 'min', 'max', 'ready ms', 'event at ingestion ms', 'SDK load held loop ms'],
    variants.map((variant) => {
      const first = pick(variant, 'firstAuthorizedMs');
      return [
        variant.name,
        ms(median(first)),
        ms(quantile(first, 0)),
        ms(quantile(first, 1)),
        ms(median(pick(variant, 'readyMs'))),
        variant.telemetry ? ms(median(pick(variant, 'telemetryAtIngestionMs'))) : '',
        variant.telemetry ? ms(median(pick(variant, 'sdkBlockedMs'))) : '',
      ];
    }),
  )) {
    print(line);
  }
  const [bare, telemetry, eager] = variants;
  if (!bare || !telemetry || !eager) return;
  const ratio = (variant: Variant) => pairedRatio(pick(variant, 'firstAuthorizedMs'), pick(bare, 'firstAuthorizedMs'));
  print();
  for (const line of formatTable(
    ['ratio of first-200 time', 'median', 'goal', 'result'],
    [
      ['telemetry / bare', `${ratio(telemetry).toFixed(2)}×`, `≤ ${GOAL}×`, verdict(ratio(telemetry) <= GOAL)],
      ['eager require / bare (reference)', `${ratio(eager).toFixed(2)}×`, '', ''],
    ],
  )) {
    print(line);
  }
  print();
  print(
    `require('applicationinsights') ${ms(median(requires.appInsights))} ms median (${requires.appInsights.map(ms).join(', ')}); ` +
      `require('@azure/functions') ${ms(median(requires.functions))} ms; process start (node -e 0) ${ms(median(requires.nodeStart))} ms`,
  );
  print('telemetry loads the SDK once the app has been quiet for 0.5 s after its first auth event (at most 10 s after it), so the first response never waits for it;');
  print('a request arriving while it loads waits for "SDK load held loop ms".');
}

main().catch((error: unknown) => {
  process.stderr.write(`cold-start bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
