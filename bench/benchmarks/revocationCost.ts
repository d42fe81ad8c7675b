import { randomUUID } from 'node:crypto';
import { revocationCheck } from '../../packages/azure-functions-entra-auth/src/revocation/revocationCheck';
import { createRevocationList, type RevocationList } from '../../packages/azure-functions-entra-auth/src/revocation/revocationList';
import type { RevocationRule } from '../../packages/azure-functions-entra-auth/src/revocation/revocationRule';
import type { RevocationSource } from '../../packages/azure-functions-entra-auth/src/revocation/revocationSource';
import type { AccessTokenVerifier } from '../../packages/azure-functions-entra-auth/src/verify/verifiedAccessToken';
import type { Benchmark } from '../support/benchmark';
import { startLoadMeter } from '../support/machineLoad';
import { measureInterleaved, type MeasuredCase } from '../support/measure';
import { byId, loadLine, ratioTable, resultTable } from '../support/report';
import { median } from '../support/stats';
import { formatNumber } from '../support/table';
import { distinctTokens } from '../support/verifyCases';
import { freshCopy } from '../support/verifyFixture';

/** The scale: 10,000 deny rules loaded, none of them matching the tokens measured (the usual case). */
const RULES = 10_000;
const MEMORY_REPEATS = 5;

/** `count` rules, a quarter of each kind, for tenants, apps and users the tokens never carry. */
function rules(count: number, now: number): RevocationRule[] {
  return Array.from({ length: count }, (_, i): RevocationRule => {
    const base = { id: randomUUID(), expiresAt: now + 3_600_000 };
    switch (i % 4) {
      case 0:
        return { ...base, kind: 'clientApp', tenantId: randomUUID(), clientAppId: randomUUID(), issuedBefore: now };
      case 1:
        return { ...base, kind: 'subject', tenantId: randomUUID(), objectId: randomUUID() };
      case 2:
        return { ...base, kind: 'token', uti: randomUUID().replaceAll('-', '').slice(0, 22) };
      default:
        return { ...base, kind: 'tenant', tenantId: randomUUID(), issuedBefore: now };
    }
  });
}

/** A source that makes its rules on each read and keeps none, so the heap measured is the list's alone. */
function generatedSource(count: number, now: number): RevocationSource {
  return { read: () => Promise.resolve({ changed: true, version: '1', rules: rules(count, now) }) };
}

/** A list loaded once, on a clock that never moves: no refresh lands in a measurement. */
async function loadedList(count: number): Promise<RevocationList> {
  const now = Date.now();
  const list = createRevocationList({ source: generatedSource(count, now), now: () => now, maxStalenessSeconds: 3600 });
  await list.warmUp();
  if (list.status().state !== 'current') throw new Error('the deny list did not load');
  return list;
}

/**
 * What the deny list adds to a request: the guard's order (verify, then the list) for a
 * first-seen and for a repeated (cached) token, with no list, an empty one and 10,000 rules,
 * measured round by round against each other; then the heap the 10,000 rules take.
 */
export const revocationCost: Benchmark = {
  name: 'revocation',
  title: `Deny list: first-seen and repeated-token cost with ${formatNumber(RULES)} rules vs none, and the rules' heap`,
  async run({ options, fixture, print }) {
    const collect = globalThis.gc;
    if (!collect) throw new Error('run node with --expose-gc to measure heap growth');
    const verifyFixture = await fixture();
    const { tokens, newVerifier } = verifyFixture;
    const sample = tokens[0] ?? '';
    const lists = { none: undefined, empty: await loadedList(0), loaded: await loadedList(RULES) };

    const guarded = (verifier: AccessTokenVerifier, list: RevocationList | undefined) => {
      if (!list) return (token: string) => verifier.verify(token);
      const check = revocationCheck(list);
      // As the guard runs it: the verifier's promise, then the list, synchronously while its rules are fresh.
      return (token: string) =>
        verifier.verify(token).then((verified) => {
          const refusal = check(verified);
          if (refusal) throw new Error('a bench token was refused');
        });
    };
    const firstSeen = (id: string, label: string, list: RevocationList | undefined): MeasuredCase =>
      distinctTokens(id, label, tokens.length, (size, take) => {
        const run = guarded(newVerifier(), list);
        const batch = take(tokens).map(freshCopy);
        return { size, op: (i) => run(batch[i] as string) };
      });
    const repeat = (id: string, label: string, list: RevocationList | undefined): MeasuredCase => {
      const verifier = newVerifier();
      const run = guarded(verifier, list);
      return {
        id,
        label,
        maxBatch: 2_000_000,
        async prepare(size) {
          for (let sighting = 0; sighting < 2; sighting++) await verifier.verify(sample);
          return { size, op: () => run(sample) };
        },
      };
    };

    const meter = startLoadMeter();
    const results = await measureInterleaved(
      [
        firstSeen('firstNone', 'first-seen, no deny list', lists.none),
        firstSeen('firstEmpty', 'first-seen, deny list, 0 rules', lists.empty),
        firstSeen('firstLoaded', `first-seen, deny list, ${formatNumber(RULES)} rules`, lists.loaded),
        repeat('repeatNone', 'repeat, no deny list', lists.none),
        repeat('repeatEmpty', 'repeat, deny list, 0 rules', lists.empty),
        repeat('repeatLoaded', `repeat, deny list, ${formatNumber(RULES)} rules`, lists.loaded),
      ],
      { mode: { kind: 'sequential' }, secondsPerCase: options.secondsPerCase, roundMs: 100, warmupSeconds: 0.5 },
    );
    const load = meter();
    for (const line of resultTable(results)) print(line);
    print();
    // Within noise: a first-seen token is RSA-bound (10 % is this VM's noise); a cached one costs a few map lookups more.
    const ratios = ratioTable([
      { name: `first-seen: ${formatNumber(RULES)} rules / no list`, numerator: byId(results, 'firstLoaded'), denominator: byId(results, 'firstNone'), goal: { kind: 'max', value: 1.1 } },
      { name: `first-seen: ${formatNumber(RULES)} rules / 0 rules`, numerator: byId(results, 'firstLoaded'), denominator: byId(results, 'firstEmpty'), goal: { kind: 'max', value: 1.1 } },
      { name: `repeat: ${formatNumber(RULES)} rules / 0 rules`, numerator: byId(results, 'repeatLoaded'), denominator: byId(results, 'repeatEmpty'), goal: { kind: 'max', value: 1.25 } },
      { name: `repeat: ${formatNumber(RULES)} rules / no list`, numerator: byId(results, 'repeatLoaded'), denominator: byId(results, 'repeatNone') },
    ]);
    for (const line of ratios) print(line);
    const over = (a: string, b: string) => `${(median(byId(results, a).samples) - median(byId(results, b).samples)).toFixed(2)} µs`;
    print(`the list's share of a repeated token (${formatNumber(RULES)} rules): ${over('repeatLoaded', 'repeatNone')} wall`);
    print(loadLine(load));
    print();

    const heapUsed = () => {
      collect();
      collect();
      return process.memoryUsage().heapUsed;
    };
    const held: RevocationList[] = [];
    const perRule: number[] = [];
    for (let repeatIndex = 0; repeatIndex < MEMORY_REPEATS; repeatIndex++) {
      const before = heapUsed();
      held.push(await loadedList(RULES));
      perRule.push((heapUsed() - before) / RULES);
    }
    const bytes = median(perRule);
    print(`heap held by ${formatNumber(RULES)} rules (a quarter of each kind): ${(bytes * RULES / 1024 / 1024).toFixed(2)} MiB, ${formatNumber(bytes)} bytes per rule (median of ${MEMORY_REPEATS}; ${held.length} lists held)`);
  },
};
