import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compare, explain, isJoseFailure, joseDifferential, judgeOurs, markdownTable, withTable, type TheirVerdict } from '../../conformance/check';
import { FAMILIES, createCorpus, type Corpus } from '../../conformance/corpus';
import { DELIBERATE_DIFFERENCES } from '../../conformance/deliberateDifferences';
import { dotnetUnavailable } from '../../conformance/identityModelJudge';
import type { OurVerdict } from '../../conformance/ourVerifier';

/**
 * The parts of the conformance check that need no .NET: the generated corpus, our
 * verifier over it, and the jose differential. The Microsoft.IdentityModel step runs in
 * `npm run conformance` (and so in .ci/run wherever dotnet is on PATH).
 */

const unavailable = dotnetUnavailable();
process.stdout.write(
  unavailable === undefined
    ? 'conformance: the Microsoft.IdentityModel differential is not run by jest; `npm run conformance` runs it (and .ci/run, since dotnet is on PATH)\n'
    : `conformance: Microsoft.IdentityModel differential skipped: ${unavailable}; the generator and jose differential still run here\n`,
);

let corpus: Corpus;
let ours: Map<string, OurVerdict[]>;

beforeAll(async () => {
  corpus = createCorpus();
  ours = await judgeOurs(corpus);
}, 60_000);

describe('the conformance corpus', () => {
  it('holds at least 300 distinct tokens', () => {
    expect(new Set(corpus.cases.map((c) => c.token)).size).toBe(corpus.cases.length);
    expect(corpus.cases.length).toBeGreaterThanOrEqual(300);
  });

  it('covers every field family alone and in pairs', () => {
    for (const family of FAMILIES) {
      const cases = corpus.cases.filter((c) => c.families.includes(family));
      expect({ family, alone: cases.some((c) => c.tags.length === 1) }).toEqual({ family, alone: true });
    }
    expect(corpus.cases.some((c) => c.tags.length === 2)).toBe(true);
  });

  it('has tokens our verifier accepts and refuses in every configuration, single- and multi-tenant', () => {
    expect(corpus.configurations.map((c) => c.env.AUTH_TENANT_ID)).toEqual(expect.arrayContaining(['organizations', 'common']));
    for (const configuration of corpus.configurations) {
      const verdicts = ours.get(configuration.name) ?? [];
      expect(verdicts.some((v) => v.accepted)).toBe(true);
      expect(verdicts.some((v) => !v.accepted)).toBe(true);
    }
  });

  it('accepts the base tokens as Entra issues them in the single-tenant configuration', () => {
    const single = ours.get('single') ?? [];
    corpus.cases.forEach((c, index) => {
      if (c.tags.length === 0) expect({ id: c.id, verdict: single[index] }).toEqual({ id: c.id, verdict: { accepted: true } });
    });
  });

  it('serves every document our verifier reads from the generated set', () => {
    const refusedForKeys = [...ours.values()].flat().filter((v) => !v.accepted && v.code === 'keys_unavailable');
    expect(refusedForKeys).toEqual([]);
  });
});

describe('jose differential (JWS layer)', () => {
  it('jose verifies the signature and encoding of every token we accept', async () => {
    const results = await joseDifferential(corpus, ours);
    const failures = results.filter(isJoseFailure).map((r) => `${r.testCase.id}: ${r.joseError ?? ''}`);
    expect(failures).toEqual([]);
    expect(results.filter((r) => r.weAccept).length).toBeGreaterThan(0);
  }, 60_000);
});

describe('the comparison', () => {
  it('fails a token we accept that the other judge refuses, and one we refuse for no tabled reason', () => {
    const index = corpus.cases.findIndex((c) => c.tags.length === 0);
    const accept: TheirVerdict = { accepted: true };
    const refuse: TheirVerdict = { accepted: false, code: 'IDX10223', exception: 'SecurityTokenExpiredException' };
    const one = { ...corpus, cases: [corpus.cases[index]!], configurations: [corpus.configurations[0]!] };
    const name = corpus.configurations[0]!.name;
    const accepted: OurVerdict = { accepted: true };
    const refused: OurVerdict = { accepted: false, code: 'x', check: 'claims.exp', message: '' };
    const ourAccept = new Map([[name, [accepted]]]);
    const ourRefuse = new Map([[name, [refused]]]);
    expect(compare(one, ourAccept, new Map([[name, [refuse]]]))[0]!.outcome).toBe('we accept, it refuses');
    expect(compare(one, ourRefuse, new Map([[name, [accept]]]))[0]!.outcome).toBe('we refuse, it accepts (UNEXPLAINED)');
  });

  it('explains a refusal only by an entry naming both our check and the variant', () => {
    const rs512 = corpus.cases.find((c) => c.tags.length === 1 && c.tags[0] === 'alg:RS512')!;
    const configuration = corpus.configurations[0]!;
    expect(explain(rs512, configuration, { accepted: false, code: 'alg_not_allowed', check: 'header.alg', message: '' })?.rule).toBe('RS256 only');
    expect(explain(rs512, configuration, { accepted: false, code: 'x', check: 'claims.aud', message: '' })).toBeUndefined();
  });

  it('renders the table of deliberate differences as Markdown, one row per entry', () => {
    const rows = markdownTable().split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Rule') && !line.startsWith('| ---'));
    expect(rows).toHaveLength(DELIBERATE_DIFFERENCES.length);
  });
});

describe('README.md', () => {
  it('holds the table of deliberate differences as generated from the committed table', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withTable(readme, markdownTable())).toBe(readme);
  });
});
