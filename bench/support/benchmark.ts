import type { VerifyFixture } from './verifyFixture';

/** Settings shared by every benchmark, from the command line. */
export interface BenchOptions {
  /** Timed seconds per measured case (warm-up not included). */
  readonly secondsPerCase: number;
  /** In-flight verifications in the throughput benchmark. */
  readonly concurrency: number;
}

export interface BenchContext {
  readonly options: BenchOptions;
  /** The shared key set, verifier factory and pre-minted tokens; created on first use. */
  readonly fixture: () => Promise<VerifyFixture>;
  readonly print: (line?: string) => void;
}

/** One benchmark: prints its own report, throws only when something is broken (never for a missed goal). */
export interface Benchmark {
  /** Selects it on the command line. */
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<void>;
}
