import type { Benchmark } from '../support/benchmark';
import { startLoadMeter } from '../support/machineLoad';
import { measureInterleaved } from '../support/measure';
import { byId, loadLine, ratioTable, resultTable } from '../support/report';
import { createVerifyCases } from '../support/verifyCases';

/** Throughput with many verifications in flight, as a busy Functions instance sees them. */
export const verifyThroughput: Benchmark = {
  name: 'throughput',
  title: 'Verification throughput (concurrent: many verifications in flight)',
  async run({ options, fixture, print }) {
    print(`${options.concurrency} in flight; ops/s is throughput, µs/op its inverse (not a latency)`);
    const cases = createVerifyCases(await fixture());
    const meter = startLoadMeter();
    const results = await measureInterleaved([cases.firstSeen, cases.repeat, cases.jwtVerify, cases.subtle, cases.cryptoCallback, cases.cryptoSync], {
      mode: { kind: 'concurrent', concurrency: options.concurrency },
      secondsPerCase: options.secondsPerCase / 2,
      roundMs: 100,
      warmupSeconds: 0.3,
    });
    const load = meter();
    for (const line of resultTable(results)) print(line);
    print();
    const ratios = ratioTable([
      { name: 'first-seen / jwtVerify', numerator: byId(results, 'firstSeen'), denominator: byId(results, 'jwtVerify') },
      { name: 'jwtVerify / repeat (same string)', numerator: byId(results, 'jwtVerify'), denominator: byId(results, 'repeat') },
      { name: 'jwtVerify / crypto.verify callback', numerator: byId(results, 'jwtVerify'), denominator: byId(results, 'cryptoCallback') },
      // Time per op inverted: this is first-seen throughput as a share of the floor's.
      { name: 'first-seen ops/s / sync floor ops/s', numerator: byId(results, 'cryptoSync'), denominator: byId(results, 'firstSeen'), goal: { kind: 'min', value: 0.6 } },
    ]);
    for (const line of ratios) print(line);
    print(loadLine(load));
  },
};
