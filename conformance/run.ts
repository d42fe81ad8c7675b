import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  compare,
  countBy,
  isFailure,
  isJoseFailure,
  joseDifferential,
  judgeOurs,
  markdownTable,
  parseTheirVerdict,
  withTable,
  type Comparison,
  type TheirVerdict,
} from './check';
import { FAMILIES, createCorpus } from './corpus';
import { DELIBERATE_DIFFERENCES } from './deliberateDifferences';
import { buildJudge, dotnetUnavailable, runJudge } from './identityModelJudge';
import { writeCorpus } from './writeCorpus';

/**
 * `npm run conformance`: generates the corpus, judges every token with our verifier,
 * with Microsoft.IdentityModel (the .NET judge, built here) and with jose, and fails
 * (exit 1) on any token we accept that either refuses, and on any token we refuse that
 * Microsoft.IdentityModel accepts unless conformance/deliberateDifferences.ts explains it.
 *
 *   --markdown       print the table of deliberate differences as Markdown and exit
 *   --update-readme  rewrite that table in README.md (a test keeps them equal)
 *   --no-dotnet      skip the Microsoft.IdentityModel step (jose only)
 *   --keep DIR       write the corpus (tokens, configurations, documents) to DIR
 *   --all            list every differing token, not only one line per variant combination
 */

const REPO_ROOT = resolve(__dirname, '..', __dirname.includes('dist-conformance') ? '..' : '.');

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function describe(comparison: Comparison): string {
  const ours = comparison.ours.accepted ? 'accept' : `refuse ${comparison.ours.code} (${comparison.ours.check})`;
  const theirs = comparison.theirs.accepted ? 'accept' : `refuse ${comparison.theirs.code} ${comparison.theirs.exception}`;
  return `  [${comparison.configuration.name}] ${comparison.testCase.id}: ours ${ours}; Microsoft.IdentityModel ${theirs}`;
}

/** One line per variant combination: how many pairs, in which configurations, and what each judge said. */
function groupedFailures(list: readonly Comparison[]): string[] {
  const groups = new Map<string, Comparison[]>();
  for (const comparison of list) {
    const key = comparison.testCase.tags.join(' + ') || 'as-issued';
    groups.set(key, [...(groups.get(key) ?? []), comparison]);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([tags, members]) => {
      const first = members[0] as Comparison;
      const configurations = [...new Set(members.map((m) => m.configuration.name))].join(',');
      const ours = first.ours.accepted ? 'accept' : `${first.ours.code} (${first.ours.check})`;
      const theirs = first.theirs.accepted ? 'accept' : `${first.theirs.code} ${first.theirs.exception}`;
      return `  ${tags} ×${members.length} [${configurations}]: ours ${ours}; Microsoft.IdentityModel ${theirs}`;
    });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { markdown: { type: 'boolean' }, 'update-readme': { type: 'boolean' }, 'no-dotnet': { type: 'boolean' }, keep: { type: 'string' }, all: { type: 'boolean' } },
  });
  if (values.markdown) {
    print(markdownTable());
    return 0;
  }
  if (values['update-readme']) {
    const readme = join(REPO_ROOT, 'README.md');
    writeFileSync(readme, withTable(readFileSync(readme, 'utf8'), markdownTable()));
    print(`${readme}: table of deliberate differences regenerated (${DELIBERATE_DIFFERENCES.length} rules)`);
    return 0;
  }
  const started = performance.now();
  const corpus = createCorpus();
  const distinct = new Set(corpus.cases.map((c) => c.token)).size;
  if (corpus.cases.some((c) => /[\r\n]/.test(c.token))) throw new Error('a token holds a line break; the judge reads one token per line');
  print(
    `corpus: ${corpus.cases.length} tokens (${distinct} distinct) from ${FAMILIES.length} field families, ${corpus.configurations.length} configurations ` +
      `(${corpus.configurations.map((c) => c.name).join(', ')}), judged at ${new Date(corpus.now * 1000).toISOString()}; generated in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const ours = await judgeOurs(corpus);
  for (const configuration of corpus.configurations) {
    const list = ours.get(configuration.name) ?? [];
    print(`ours [${configuration.name}]: ${list.filter((v) => v.accepted).length} accepted, ${list.filter((v) => !v.accepted).length} refused`);
  }

  let failed = false;

  // jose, JWS layer
  const jose = await joseDifferential(corpus, ours);
  const joseFailures = jose.filter(isJoseFailure);
  print();
  print(
    `jose compactVerify (JWS layer): ${jose.filter((r) => r.joseAccepts).length} of ${jose.length} tokens verify; ` +
      `we accept ${jose.filter((r) => r.weAccept).length} in some configuration; ` +
      `jose verifies but we refuse everywhere: ${jose.filter((r) => r.joseAccepts && !r.weAccept).length} (our stricter rules); ` +
      `we accept but jose refuses: ${joseFailures.length}`,
  );
  for (const failure of joseFailures) print(`  FAIL ${failure.testCase.id}: jose ${failure.joseError ?? 'refused'}`);
  if (joseFailures.length > 0) failed = true;

  // Microsoft.IdentityModel
  print();
  const unavailable = values['no-dotnet'] ? '--no-dotnet given' : dotnetUnavailable();
  if (unavailable !== undefined) {
    print(`Microsoft.IdentityModel step skipped: ${unavailable}`);
  } else {
    const buildStarted = performance.now();
    buildJudge(REPO_ROOT);
    print(`IdentityModelJudge built (dotnet build -c Release) in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s`);
    const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'entra-conformance-'));
    try {
      const configPaths = writeCorpus(corpus, dir);
      const tokens = corpus.cases.map((c) => c.token);
      const theirs = new Map<string, TheirVerdict[]>();
      const judgeStarted = performance.now();
      for (const configuration of corpus.configurations) {
        const lines = await runJudge(REPO_ROOT, configPaths.get(configuration.name) ?? '', tokens);
        if (lines.length !== tokens.length) throw new Error(`IdentityModelJudge gave ${lines.length} verdicts for ${tokens.length} tokens`);
        theirs.set(configuration.name, lines.map(parseTheirVerdict));
      }
      print(`Microsoft.IdentityModel judged ${tokens.length * corpus.configurations.length} token × configuration pairs in ${((performance.now() - judgeStarted) / 1000).toFixed(1)} s`);
      for (const configuration of corpus.configurations) {
        const list = theirs.get(configuration.name) ?? [];
        print(`Microsoft.IdentityModel [${configuration.name}]: ${list.filter((v) => v.accepted).length} accepted, ${list.filter((v) => !v.accepted).length} refused`);
      }
      const comparisons = compare(corpus, ours, theirs);
      print();
      print('outcomes (token × configuration):');
      for (const [outcome, count] of countBy(comparisons, (c) => c.outcome)) print(`  ${outcome}: ${count}`);
      print();
      print('deliberate differences used (rule: pairs):');
      const used = countBy(comparisons.filter((c) => c.difference), (c) => c.difference?.rule ?? '');
      for (const [rule, count] of used) print(`  ${rule}: ${count}`);
      const unused = DELIBERATE_DIFFERENCES.filter((entry) => !used.some(([rule]) => rule === entry.rule));
      if (unused.length > 0) print(`  (not needed by this corpus: ${unused.map((entry) => entry.rule).join('; ')})`);
      print();
      print('Microsoft.IdentityModel refusals (code: pairs):');
      print(`  ${countBy(comparisons.filter((c) => !c.theirs.accepted), (c) => (c.theirs.accepted ? '' : c.theirs.code)).map(([code, n]) => `${code} ${n}`).join(', ')}`);

      const weAccept = comparisons.filter((c) => c.outcome === 'we accept, it refuses');
      const unexplained = comparisons.filter((c) => c.outcome === 'we refuse, it accepts (UNEXPLAINED)');
      for (const [title, list] of [
        ['FAIL: we accept, Microsoft.IdentityModel refuses', weAccept],
        ['FAIL: we refuse, Microsoft.IdentityModel accepts, and no deliberate difference explains it', unexplained],
      ] as const) {
        if (list.length === 0) continue;
        print();
        print(`${title}: ${list.length} token × configuration pairs, by variant:`);
        for (const line of groupedFailures(list)) print(line);
        if (values.all) for (const comparison of list) print(describe(comparison));
        else print('  (--all lists every token)');
      }
      if (comparisons.some(isFailure)) failed = true;
    } finally {
      if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
    }
  }

  print();
  print(`conformance ${failed ? 'FAILED' : 'passed'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
