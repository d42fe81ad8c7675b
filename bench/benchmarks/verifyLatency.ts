import type { Benchmark } from '../support/benchmark';
import { startLoadMeter } from '../support/machineLoad';
import { measureInterleaved } from '../support/measure';
import { byId, loadLine, ratioTable, resultTable } from '../support/report';
import { median } from '../support/stats';
import { createVerifyCases } from '../support/verifyCases';

/** Latency of one verification awaited at a time: the verifier against jose alone and the bare RSA check. */
export const verifyLatency: Benchmark = {
  name: 'latency',
  title: 'Verification latency (sequential awaits, one verification at a time)',
  async run({ options, fixture, print }) {
    const cases = createVerifyCases(await fixture());
    const meter = startLoadMeter();
    const results = await measureInterleaved(
      [cases.firstSeen, cases.firstSeenUncached, cases.repeat, cases.repeatFresh, cases.jwtVerify, cases.subtle, cases.cryptoSync],
      { mode: { kind: 'sequential' }, secondsPerCase: options.secondsPerCase, roundMs: 100, warmupSeconds: 0.5 },
    );
    const load = meter();
    for (const line of resultTable(results)) print(line);
    print();

    const firstSeen = byId(results, 'firstSeen');
    const jose = byId(results, 'jwtVerify');
    const subtle = byId(results, 'subtle');
    const floor = byId(results, 'cryptoSync');
    const ratios = ratioTable([
      { name: 'first-seen / jwtVerify', numerator: firstSeen, denominator: jose, goal: { kind: 'max', value: 1.1 } },
      { name: 'jwtVerify / repeat (same string)', numerator: jose, denominator: byId(results, 'repeat'), goal: { kind: 'min', value: 10 } },
      { name: 'jwtVerify / repeat (new string each)', numerator: jose, denominator: byId(results, 'repeatFresh'), goal: { kind: 'min', value: 10 } },
      { name: 'jwtVerify / crypto.subtle.verify', numerator: jose, denominator: subtle },
      { name: 'crypto.subtle.verify / crypto.verify sync', numerator: subtle, denominator: floor },
      { name: 'first-seen / crypto.verify sync (floor)', numerator: firstSeen, denominator: floor, goal: { kind: 'max', value: 1.5 } },
      // No goal: the lower bound of the design, every check and no cache; shows how much of the gap the cache is.
      { name: 'first-seen, cache off / crypto.verify sync', numerator: byId(results, 'firstSeenUncached'), denominator: floor },
    ]);
    for (const line of ratios) print(line);
    print();
    const over = (a: string, b: string) => {
      const wall = median(byId(results, a).samples) - median(byId(results, b).samples);
      const cpu = median(byId(results, a).cpuSamples) - median(byId(results, b).cpuSamples);
      return `${wall.toFixed(1)} µs wall, ${cpu.toFixed(1)} µs CPU`;
    };
    print(`verifier (first-seen) over jwtVerify:           ${over('firstSeen', 'jwtVerify')}`);
    print(`the cache's share of a first-seen token:        ${over('firstSeen', 'firstSeenUncached')} (digest, lookup, entry)`);
    print(`verifier (first-seen) over sync crypto.verify:  ${over('firstSeen', 'cryptoSync')} (decoding, rules, key lookup)`);
    print(`jwtVerify over its crypto.subtle.verify call:   ${over('jwtVerify', 'subtle')}`);
    print(`crypto.subtle.verify over sync crypto.verify:   ${over('subtle', 'cryptoSync')} (threadpool round trip)`);
    print(loadLine(load));
  },
};
