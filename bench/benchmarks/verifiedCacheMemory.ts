import type { Benchmark } from '../support/benchmark';
import { median } from '../support/stats';
import { formatNumber } from '../support/table';
import { freshCopy } from '../support/verifyFixture';

const REPEATS = 5;
const DEFAULT_CACHE_SIZE = 10_000;

/**
 * Heap held per entry of the verified-token cache. Each token is a fresh string that
 * only the cache keeps, as in production, so the figure includes the token itself,
 * the parsed claims and the cache's bookkeeping.
 */
export const verifiedCacheMemory: Benchmark = {
  name: 'memory',
  title: 'Verified-token cache: heap per cached token',
  async run({ fixture, print }) {
    const collect = globalThis.gc;
    if (!collect) throw new Error('run node with --expose-gc to measure heap growth');
    const { tokens, newVerifier } = await fixture();
    const heapUsed = () => {
      collect();
      collect();
      return process.memoryUsage().heapUsed;
    };

    const perEntry: number[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const verifier = newVerifier(tokens.length + 1); // no evictions
      await verifier.verify(freshCopy(tokens[0] ?? '')); // allocations of a first use are not per entry
      const before = heapUsed();
      for (const token of tokens.slice(1)) await verifier.verify(freshCopy(token));
      const after = heapUsed();
      perEntry.push((after - before) / (tokens.length - 1));
      await verifier.verify(freshCopy(tokens[0] ?? '')); // keeps the verifier (and its cache) alive until measured
    }

    const bytes = median(perEntry);
    const tokenLength = median(tokens.map((token) => token.length));
    print(`${formatNumber(tokens.length - 1)} distinct tokens cached, ${REPEATS} repeats; token length ${formatNumber(tokenLength)} characters`);
    print(`heap per cached token: ${formatNumber(bytes)} bytes (median; repeats ${perEntry.map((value) => formatNumber(value)).join(', ')})`);
    print(`  of which the token string itself: about ${formatNumber(tokenLength + 16)} bytes (one byte per character plus header)`);
    print(`a full default cache (${formatNumber(DEFAULT_CACHE_SIZE)} entries): about ${((bytes * DEFAULT_CACHE_SIZE) / 1024 / 1024).toFixed(1)} MiB`);
  },
};
