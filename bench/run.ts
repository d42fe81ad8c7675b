import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { authorityRouting } from './benchmarks/authorityRouting';
import { identityModelPeer } from './benchmarks/identityModelPeer';
import { keyRollover } from './benchmarks/keyRollover';
import { ordersStore } from './benchmarks/ordersStore';
import { revocationCost } from './benchmarks/revocationCost';
import { verifiedCacheMemory } from './benchmarks/verifiedCacheMemory';
import { verifyLatency } from './benchmarks/verifyLatency';
import { verifyStages } from './benchmarks/verifyStages';
import { verifyThroughput } from './benchmarks/verifyThroughput';
import type { BenchContext, BenchOptions, Benchmark } from './support/benchmark';
import { createVerifyFixture, type VerifyFixture } from './support/verifyFixture';

/**
 * Runs the benchmarks: `node --expose-gc dist-bench/bench/run.js [name...] [--seconds N] [--concurrency N]`.
 * A report, not a gate: missed goals print FAIL but the exit code is 0; only errors make it 1.
 * Add a benchmark by writing a file in benchmarks/ and listing it here.
 */
const BENCHMARKS: readonly Benchmark[] = [verifyLatency, verifyThroughput, verifiedCacheMemory, verifyStages, keyRollover, ordersStore, revocationCost, identityModelPeer, authorityRouting];

/** Distinct tokens minted up front: enough for a 100 ms batch of first-seen verifications. */
const TOKEN_COUNT = 2_000;
/** A run takes well under a minute; past this something is stuck (a socket, a threadpool job). */
const WATCHDOG_SECONDS = 300;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seconds: { type: 'string', default: '2' }, concurrency: { type: 'string', default: '32' } },
  });
  const options: BenchOptions = { secondsPerCase: positiveNumber(values.seconds, 'seconds'), concurrency: positiveNumber(values.concurrency, 'concurrency') };
  const unknown = positionals.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  const selected = positionals.length === 0 ? BENCHMARKS : BENCHMARKS.filter((benchmark) => positionals.includes(benchmark.name));

  const print = (line = '') => {
    process.stdout.write(`${line}\n`);
  };
  const cpu = cpus();
  print(`node ${process.version} on ${cpu[0]?.model ?? 'unknown CPU'} ×${cpu.length}; ${options.secondsPerCase} s per case; gc() ${globalThis.gc ? 'exposed' : 'NOT exposed (run with --expose-gc)'}`);

  let fixture: Promise<VerifyFixture> | undefined;
  const context: BenchContext = {
    options,
    print,
    fixture: () =>
      (fixture ??= createVerifyFixture(TOKEN_COUNT).then((created) => {
        print(`fixture: ${formatCount(created.tokens.length)} distinct v2 app tokens minted in ${created.mintSeconds.toFixed(1)} s; key set fetched from 127.0.0.1, then the server stopped`);
        return created;
      })),
  };
  const started = performance.now();
  for (const benchmark of selected) {
    print();
    print(`== ${benchmark.title} [${benchmark.name}]`);
    const benchStarted = performance.now();
    await benchmark.run(context);
    print(`(${((performance.now() - benchStarted) / 1000).toFixed(1)} s)`);
  }
  print();
  print(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function positiveNumber(raw: string, name: string): number {
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`--${name} must be a positive number`);
  return value;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

let settled = false;
const fail = (message: string) => {
  process.stderr.write(`bench failed: ${message}\n`);
  process.exitCode = 1;
};
setTimeout(() => {
  fail(`still running after ${WATCHDOG_SECONDS} s`);
  process.exit();
}, WATCHDOG_SECONDS * 1000).unref();
// Without this, a promise that never settles would end the process quietly with exit code 0.
process.on('exit', () => {
  if (!settled) fail('stopped before finishing: an operation never settled');
});
main().then(
  () => {
    settled = true;
  },
  (error: unknown) => {
    settled = true;
    fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
  },
);
