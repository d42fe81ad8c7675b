import { compactVerify } from 'jose';
import { DELIBERATE_DIFFERENCES, type DeliberateDifference } from './deliberateDifferences';
import type { Case, Configuration, Corpus } from './corpus';
import { createOurJudge, type OurVerdict } from './ourVerifier';

/**
 * The differential checks: our verifier against Microsoft.IdentityModel (token level)
 * and against jose (JWS level), over the same corpus.
 */

export type TheirVerdict = { readonly accepted: true } | { readonly accepted: false; readonly code: string; readonly exception: string };

export function parseTheirVerdict(line: string): TheirVerdict {
  if (line === 'accept') return { accepted: true };
  const [word, code = 'none', exception = 'unknown'] = line.split(' ');
  if (word !== 'reject') throw new Error(`IdentityModelJudge printed an unexpected line: ${line}`);
  return { accepted: false, code, exception };
}

/** Our verdict for every case, per configuration (a fresh verifier per configuration, at the corpus's instant). */
export async function judgeOurs(corpus: Corpus): Promise<Map<string, OurVerdict[]>> {
  const verdicts = new Map<string, OurVerdict[]>();
  for (const configuration of corpus.configurations) {
    const judge = createOurJudge(configuration.env, { documents: corpus.documents, now: () => corpus.now * 1000 });
    const list: OurVerdict[] = [];
    for (const { token } of corpus.cases) list.push(await judge.judge(token));
    verdicts.set(configuration.name, list);
  }
  return verdicts;
}

export type Outcome = 'both accept' | 'both refuse' | 'we accept, it refuses' | 'we refuse, it accepts (deliberate)' | 'we refuse, it accepts (UNEXPLAINED)';

export interface Comparison {
  readonly configuration: Configuration;
  readonly testCase: Case;
  readonly ours: OurVerdict;
  readonly theirs: TheirVerdict;
  readonly outcome: Outcome;
  readonly difference?: DeliberateDifference;
}

/** `*` in a pattern stands for any run of characters. */
const matchesTag = (pattern: string, tag: string) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(tag);

/** The entry of the table that explains our refusal of a token Microsoft.IdentityModel accepts, if any. */
export function explain(testCase: Case, configuration: Configuration, ours: OurVerdict, table: readonly DeliberateDifference[] = DELIBERATE_DIFFERENCES): DeliberateDifference | undefined {
  if (ours.accepted) return undefined;
  const carries = (alternative: string) => alternative.split('&').every((pattern) => testCase.tags.some((tag) => matchesTag(pattern.trim(), tag)));
  return table.find(
    (entry) =>
      entry.ourChecks.includes(ours.check) &&
      ((entry.tags?.some(carries) ?? false) || (entry.configurations?.includes(configuration.name) ?? false)),
  );
}

export function compare(corpus: Corpus, ours: ReadonlyMap<string, readonly OurVerdict[]>, theirs: ReadonlyMap<string, readonly TheirVerdict[]>): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const configuration of corpus.configurations) {
    const ourList = ours.get(configuration.name);
    const theirList = theirs.get(configuration.name);
    if (!ourList || !theirList || ourList.length !== corpus.cases.length || theirList.length !== corpus.cases.length) {
      throw new Error(`verdicts missing for configuration ${configuration.name}`);
    }
    corpus.cases.forEach((testCase, index) => {
      const our = ourList[index] as OurVerdict;
      const their = theirList[index] as TheirVerdict;
      if (our.accepted && their.accepted) comparisons.push({ configuration, testCase, ours: our, theirs: their, outcome: 'both accept' });
      else if (!our.accepted && !their.accepted) comparisons.push({ configuration, testCase, ours: our, theirs: their, outcome: 'both refuse' });
      else if (our.accepted) comparisons.push({ configuration, testCase, ours: our, theirs: their, outcome: 'we accept, it refuses' });
      else {
        const difference = explain(testCase, configuration, our);
        comparisons.push(
          difference
            ? { configuration, testCase, ours: our, theirs: their, outcome: 'we refuse, it accepts (deliberate)', difference }
            : { configuration, testCase, ours: our, theirs: their, outcome: 'we refuse, it accepts (UNEXPLAINED)' },
        );
      }
    });
  }
  return comparisons;
}

export const isFailure = (comparison: Comparison): boolean =>
  comparison.outcome === 'we accept, it refuses' || comparison.outcome === 'we refuse, it accepts (UNEXPLAINED)';

// ---------------------------------------------------------------------------------------------
// jose, at the JWS layer

export interface JoseComparison {
  readonly testCase: Case;
  /** We accepted the token in at least one configuration. */
  readonly weAccept: boolean;
  readonly joseAccepts: boolean;
  readonly joseError?: string;
}

/**
 * Every token goes to jose's compactVerify with the public key its `kid` names (the key
 * our verifier would use; tokens naming no corpus key are refused by us and by jose alike).
 * A token we accept in any configuration whose signature or encoding jose refuses is a failure.
 */
export async function joseDifferential(corpus: Corpus, ours: ReadonlyMap<string, readonly OurVerdict[]>): Promise<JoseComparison[]> {
  const keysByKid = new Map(Object.values(corpus.keys).map((key) => [key.kid, key.publicKey]));
  const results: JoseComparison[] = [];
  for (const [index, testCase] of corpus.cases.entries()) {
    const weAccept = [...ours.values()].some((list) => list[index]?.accepted === true);
    const key = keysByKid.get(kidOf(testCase.token) ?? '');
    let joseAccepts = false;
    let joseError: string | undefined;
    if (key) {
      try {
        await compactVerify(testCase.token, key);
        joseAccepts = true;
      } catch (error) {
        joseError = (error as { code?: string }).code ?? String(error);
      }
    } else {
      joseError = 'no corpus key for this kid';
    }
    results.push({ testCase, weAccept, joseAccepts, ...(joseError !== undefined && { joseError }) });
  }
  return results;
}

function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as unknown;
    const kid = (header as { kid?: unknown }).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

export const isJoseFailure = (result: JoseComparison): boolean => result.weAccept && !result.joseAccepts;

// ---------------------------------------------------------------------------------------------
// Reports

export function markdownTable(table: readonly DeliberateDifference[] = DELIBERATE_DIFFERENCES): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| Rule | We refuse at | Tokens (generator variants) | Why | Standard / attack |',
    '| --- | --- | --- | --- | --- |',
    ...table.map((entry) =>
      [
        entry.rule,
        entry.ourChecks.map((check) => `\`${check}\``).join(', '),
        [...(entry.tags ?? []).map((tag) => `\`${tag}\``), ...(entry.configurations ?? []).map((name) => `configuration \`${name}\``)].join(', '),
        entry.reason,
        entry.basis,
      ]
        .map(escape)
        .join(' | '),
    ).map((row) => `| ${row} |`),
  ];
  return lines.join('\n');
}

export const TABLE_START = '<!-- deliberate-differences: generated by `node dist-conformance/conformance/run.js --update-readme` from conformance/deliberateDifferences.ts -->';
export const TABLE_END = '<!-- end of deliberate-differences -->';

/** `readme` with the text between the table markers replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md lacks the deliberate-differences markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
