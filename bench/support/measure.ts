/**
 * Interleaved measurement: every round runs each case once (order rotated per round,
 * so no case always follows the same neighbour), with a full gc() before each case's
 * turn so one case's garbage is not collected on another case's clock.
 */

/** One operation; async operations return their promise, synchronous ones undefined. */
export type Op = (index: number) => Promise<unknown> | undefined;

export interface PreparedBatch {
  readonly size: number;
  readonly op: Op;
}

export interface MeasuredCase {
  readonly id: string;
  readonly label: string;
  /** Most operations one batch may hold (e.g. the number of distinct tokens). */
  readonly maxBatch: number;
  /** Untimed: builds the inputs (token copies, a fresh verifier...) for `size` operations. */
  prepare(size: number): Promise<PreparedBatch>;
}

/** Sequential: one verification at a time (latency). Concurrent: this many in flight (throughput). */
export type Mode = { readonly kind: 'sequential' } | { readonly kind: 'concurrent'; readonly concurrency: number };

export interface MeasurePlan {
  readonly mode: Mode;
  readonly secondsPerCase: number;
  /** Timed milliseconds per case per round. */
  readonly roundMs: number;
  /** Untimed warm-up per case, so the JIT has settled before the first round. */
  readonly warmupSeconds: number;
}

export interface CaseResult {
  readonly id: string;
  readonly label: string;
  /** Wall-clock microseconds per operation, one sample per round. */
  readonly samples: readonly number[];
  /** CPU microseconds per operation (all threads of this process: main and threadpool), one per round. */
  readonly cpuSamples: readonly number[];
  readonly ops: number;
}

/** What one timed batch cost. */
export interface BatchTime {
  readonly wallNs: number;
  readonly cpuUs: number;
}

export async function measureInterleaved(cases: readonly MeasuredCase[], plan: MeasurePlan): Promise<CaseResult[]> {
  const batchSizes = new Map<string, number>();
  for (const measured of cases) batchSizes.set(measured.id, await warmUp(measured, plan));

  const rounds = Math.max(3, Math.round((plan.secondsPerCase * 1000) / plan.roundMs));
  const samples = new Map<string, number[]>(cases.map((measured) => [measured.id, []]));
  const cpuSamples = new Map<string, number[]>(cases.map((measured) => [measured.id, []]));
  const ops = new Map<string, number>(cases.map((measured) => [measured.id, 0]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const measured = cases[(round + k) % cases.length] as MeasuredCase;
      const size = batchSizes.get(measured.id) ?? 1;
      let wallNs = 0;
      let cpuUs = 0;
      let count = 0;
      globalThis.gc?.();
      // Batches until the case has had its time this round, so a poor size estimate costs little.
      while (wallNs < plan.roundMs * 1e6) {
        const batch = await measured.prepare(size);
        const time = await timeBatch(batch, plan.mode);
        wallNs += time.wallNs;
        cpuUs += time.cpuUs;
        count += batch.size;
      }
      samples.get(measured.id)?.push(wallNs / 1000 / count);
      cpuSamples.get(measured.id)?.push(cpuUs / count);
      ops.set(measured.id, (ops.get(measured.id) ?? 0) + count);
    }
  }
  return cases.map(({ id, label }) => ({ id, label, samples: samples.get(id) ?? [], cpuSamples: cpuSamples.get(id) ?? [], ops: ops.get(id) ?? 0 }));
}

/** Runs the case untimed for the warm-up period and returns a batch size of about a quarter of `roundMs`. */
async function warmUp(measured: MeasuredCase, plan: MeasurePlan): Promise<number> {
  const deadline = performance.now() + plan.warmupSeconds * 1000;
  let trial = Math.min(16, measured.maxBatch);
  let usPerOp = Number.POSITIVE_INFINITY;
  while (performance.now() < deadline) {
    const batch = await measured.prepare(trial);
    usPerOp = (await timeBatch(batch, plan.mode)).wallNs / 1000 / batch.size;
    trial = Math.min(measured.maxBatch, trial * 2);
  }
  return Math.max(1, Math.min(measured.maxBatch, Math.round((plan.roundMs * 1000) / 4 / usPerOp)));
}

export async function timeBatch(batch: PreparedBatch, mode: Mode): Promise<BatchTime> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  if (mode.kind === 'sequential') await runSequential(batch);
  else await runConcurrent(batch, mode.concurrency);
  const wallNs = Number(process.hrtime.bigint() - started);
  const { user, system } = process.cpuUsage(cpu);
  return { wallNs, cpuUs: user + system };
}

async function runSequential({ size, op }: PreparedBatch): Promise<void> {
  for (let i = 0; i < size; i++) {
    const pending = op(i);
    if (pending !== undefined) await pending;
  }
}

async function runConcurrent({ size, op }: PreparedBatch, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < size) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, size) }, worker));
}
