import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jwtVerify } from 'jose';
import { CONFIGURATIONS, INSTANCE, NOW, SKEW_SECONDS, TENANT, createDocuments, createKeys, signDraft, baseDraftFor } from '../../conformance/corpus';
import { buildJudge, dotnetUnavailable, runJudge } from '../../conformance/identityModelJudge';
import { createOurJudge } from '../../conformance/ourVerifier';
import { writeCorpus } from '../../conformance/writeCorpus';
import type { Benchmark } from '../support/benchmark';
import { formatNumber, formatTable } from '../support/table';

/**
 * First-seen verification cost per token, ours beside Microsoft.IdentityModel (the
 * conformance judge's --bench mode: JsonWebTokenHandler.ValidateTokenAsync as
 * Microsoft.Identity.Web configures it, in its own .NET process) and jose's jwtVerify,
 * over the same distinct, valid v2 tokens, keys and clock. Each side validates
 * sequentially: the first WARMUP tokens warm it up untimed, then every other token is
 * validated once, timed alone. Ours and jose take the median of ROUNDS passes, each
 * with a fresh verifier (so every token is first-seen).
 */

const TOKENS = 2_000;
const WARMUP = 500;
const ROUNDS = 3;
const REPO_ROOT = resolve(__dirname, '..', '..', '..');

interface PerToken {
  readonly median: number;
  readonly mean: number;
  readonly p90: number;
}

export const identityModelPeer: Benchmark = {
  name: 'identity-model-peer',
  title: 'First-seen verification: ours vs Microsoft.IdentityModel (.NET, as Microsoft.Identity.Web) vs jose.jwtVerify',
  async run({ print }) {
    const unavailable = dotnetUnavailable();
    if (unavailable !== undefined) {
      print(`identity-model-peer skipped: ${unavailable}`);
      return;
    }
    buildJudge(REPO_ROOT);

    const keys = createKeys();
    const documents = createDocuments(keys);
    const tokens = Array.from({ length: TOKENS }, (_, i) => signDraft(baseDraftFor('v2-app', `bench${String(i).padStart(8, '0')}`), keys));
    const configuration = CONFIGURATIONS.find((c) => c.name === 'single');
    if (!configuration) throw new Error('no single-tenant configuration');

    const dir = mkdtempSync(join(tmpdir(), 'identity-model-peer-'));
    let theirs: PerToken;
    try {
      const paths = writeCorpus({ documents, configurations: [configuration], cases: [] }, dir);
      const [line = ''] = await runJudge(REPO_ROOT, paths.get(configuration.name) ?? '', tokens, ['--bench', '--warmup', String(WARMUP)]);
      theirs = parseBenchLine(line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const ours = await rounds(() => {
      const judge = createOurJudge(configuration.env, { documents, now: () => NOW * 1000, cacheSize: 10_000 });
      return (token) => judge.verify(token);
    });
    const issuer = `${INSTANCE}/${TENANT}/v2.0`;
    const jose = await rounds(() => (token) =>
      jwtVerify(token, keys.main.publicKey, {
        algorithms: ['RS256'],
        issuer,
        audience: [...configuration.judge.validAudiences],
        clockTolerance: SKEW_SECONDS,
        currentDate: new Date(NOW * 1000),
      }),
    );

    const rows: [string, PerToken][] = [
      ['ours: verifier.verify, first-seen (cache on)', ours],
      ['jose.jwtVerify (RS256, iss, aud, skew)', jose],
      ['Microsoft.IdentityModel ValidateTokenAsync (+ MIW rules)', theirs],
    ];
    const timed = TOKENS - WARMUP;
    for (const line of formatTable(
      ['case', 'tokens', 'median µs', 'mean µs', 'p90 µs'],
      rows.map(([label, t]) => [label, formatNumber(timed), formatNumber(t.median, 1), formatNumber(t.mean, 1), formatNumber(t.p90, 1)]),
    )) {
      print(line);
    }
    print();
    const ratio = (a: PerToken, b: PerToken) => `${(a.median / b.median).toFixed(2)}× (mean ${(a.mean / b.mean).toFixed(2)}×)`;
    print(`Microsoft.IdentityModel / ours:   ${ratio(theirs, ours)}`);
    print(`Microsoft.IdentityModel / jose:   ${ratio(theirs, jose)}`);
    print(`ours / jose:                      ${ratio(ours, jose)}`);
    print(`(${formatNumber(TOKENS)} distinct v2 app tokens, ${formatNumber(WARMUP)} of them untimed warm-up; one process each side; .NET in its own process, so no shared JIT or GC)`);

    async function rounds(create: () => (token: string) => Promise<unknown>): Promise<PerToken> {
      const results: PerToken[] = [];
      for (let round = 0; round < ROUNDS; round++) results.push(await timePerToken(create(), tokens));
      const mid = (pick: (t: PerToken) => number) => [...results.map(pick)].sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? Number.NaN;
      return { median: mid((t) => t.median), mean: mid((t) => t.mean), p90: mid((t) => t.p90) };
    }
  },
};

/** Warm-up on the first WARMUP tokens, then each remaining token timed alone (sequential awaits). */
async function timePerToken(verify: (token: string) => Promise<unknown>, tokens: readonly string[]): Promise<PerToken> {
  for (const token of tokens.slice(0, WARMUP)) await verify(token);
  const micros: number[] = [];
  for (const token of tokens.slice(WARMUP)) {
    const started = process.hrtime.bigint();
    await verify(token);
    micros.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  micros.sort((a, b) => a - b);
  const at = (q: number) => micros[Math.min(micros.length - 1, Math.round((micros.length - 1) * q))] ?? Number.NaN;
  return { median: at(0.5), mean: micros.reduce((sum, value) => sum + value, 0) / micros.length, p90: at(0.9) };
}

function parseBenchLine(line: string): PerToken {
  const field = (name: string) => {
    const match = new RegExp(`\\b${name}=([0-9.]+)`).exec(line);
    if (!match) throw new Error(`IdentityModelJudge --bench printed no ${name}: ${line}`);
    return Number(match[1]);
  };
  if (field('rejected') !== 0) throw new Error(`Microsoft.IdentityModel refused some bench tokens: ${line}`);
  return { median: field('median_us'), mean: field('mean_us'), p90: field('p90_us') };
}
