import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { adaptToLegacyGrammar, describeProblems, parseBicep } from './support/bicepSyntax';
import { filesUnder, INFRA_DIR, readRepoFile, REPO_ROOT } from './support/infraFiles';

const bicepFiles = filesUnder(INFRA_DIR, '.bicep').map((path) => relative(REPO_ROOT, path).split('\\').join('/'));

const linesWithProblems = async (source: string) => (await parseBicep(source)).problems.map((p) => p.line);

describe('Bicep syntax under infra/', () => {
  it('finds the entry point and its modules', () => {
    expect(bicepFiles).toContain('infra/main.bicep');
    expect(bicepFiles.filter((path) => path.startsWith('infra/modules/')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(bicepFiles)('%s parses with no ERROR or MISSING node', async (path) => {
    const { problems } = await parseBicep(readRepoFile(path));
    expect(describeProblems(path, problems)).toEqual([]);
  });

  it('needs the adapter: the raw Graph module fails on its extension line and the adapted one does not', async () => {
    const source = readRepoFile('infra/modules/apiRegistration.bicep');
    const extensionLine = source.split('\n').findIndex((line) => line.startsWith('extension ')) + 1;
    expect(extensionLine).toBeGreaterThan(0);
    const raw = await parseBicep(source, { adapt: false });
    expect(raw.problems.map((p) => p.line)).toContain(extensionLine);
    expect((await parseBicep(source)).problems).toEqual([]);
  });

  it('needs the adapter: raw main.bicep fails on its spread line', async () => {
    const source = readRepoFile('infra/main.bicep');
    const spreadLine = source.split('\n').findIndex((line) => line.trim().startsWith('...')) + 1;
    expect(spreadLine).toBeGreaterThan(0);
    const raw = await parseBicep(source, { adapt: false });
    expect(raw.problems.map((p) => p.line)).toContain(spreadLine);
  });
});

describe('syntax errors are reported with their line', () => {
  it('reports a stray token where an expression belongs', async () => {
    const source = ['param a string', '', 'param foo string = )', 'var c = 3', ''].join('\n');
    expect(await parseBicep(source)).toMatchObject({ problems: [{ kind: 'ERROR', line: 3, column: 20 }] });
  });

  it('reports a property with no value inside an object', async () => {
    const source = ['param a string', 'var b = {', '  x: 1', '  y: = 2', '}', ''].join('\n');
    expect(await linesWithProblems(source)).toEqual([4]);
  });

  it('reports an unclosed array as a MISSING bracket', async () => {
    const source = ['var b = [', '  1', '  2', '', 'var c = 3', ''].join('\n');
    expect(await parseBicep(source)).toMatchObject({ problems: [{ kind: 'MISSING', text: 'missing ]' }] });
  });
});

describe('the legacy-grammar adapter stays narrow', () => {
  it('keeps an error after a rewritten extension clause: a string alias', async () => {
    const source = ["targetScope = 'subscription'", "extension microsoftGraphV1 as 'graph'", 'param a string', ''].join('\n');
    expect(await linesWithProblems(source)).toEqual([2]);
  });

  it('keeps an error after a rewritten extension clause: a broken with-object', async () => {
    expect(await linesWithProblems('extension microsoftGraphV1 with { a: } as g\n')).toEqual([1]);
  });

  it('keeps an error after a rewritten object spread', async () => {
    const source = ['var base = {}', 'var merged = { ...base, : 1 }', 'var z = 1', ''].join('\n');
    expect(await linesWithProblems(source)).toEqual([2]);
  });

  it('keeps an error after a rewritten array spread', async () => {
    const source = ['var other = []', 'var arr = [ 1, ...other, , 4 ]', 'var z = 1', ''].join('\n');
    expect(await linesWithProblems(source)).toEqual([2]);
  });

  it('keeps a spread with nothing to spread an error, in objects and arrays', async () => {
    expect(await linesWithProblems(['var base = {}', 'var merged = {', '  ...base', '  ...', '}', ''].join('\n'))).toEqual([4]);
    expect(await linesWithProblems(['var z = 0', 'var arr = [ 1, ... ]', ''].join('\n'))).toEqual([2]);
  });

  it('keeps a spread an error where Bicep forbids it: a call argument or a property value', async () => {
    const source = ['var parts = []', 'var broken = union(...parts)', 'var m = { a: ...parts }', ''].join('\n');
    expect(await linesWithProblems(source)).toEqual([2, 3]);
  });

  it('leaves `extension` alone unless it opens a top-level line', async () => {
    expect(await linesWithProblems(['var cfg = {', "  extension: 'x'", '}', ''].join('\n'))).toEqual([]);
    expect(await linesWithProblems(['var cfg = {', '  extension foo', '}', ''].join('\n'))).toEqual([2]);
    expect(await linesWithProblems(['  extension microsoftGraphV1', 'param a string', ''].join('\n'))).toEqual([1]);
  });

  it('does not touch strings, interpolations or comments', () => {
    const source = ["var s = 'text ... more ${ { a: 1 }.a } ... extension x'", '// ... extension y', "/* ...\nextension z */", ''].join('\n');
    expect(adaptToLegacyGrammar(source)).toBe(source);
  });

  it('rewrites both extension forms and both spread forms in place, character for character', () => {
    const source = [
      'extension microsoftGraphV1',
      "extension 'br:mcr.microsoft.com/bicep/extensions/x:1.0' as x",
      'var o = { ...a, b: [ ...c ] }',
      '',
    ].join('\n');
    expect(adaptToLegacyGrammar(source)).toBe(
      [
        "import 'microsoftGraphV1' ",
        "import    'br:mcr.microsoft.com/bicep/extensions/x:1.0' as x",
        'var o = { _s:a, b: [ !  c ] }',
        '',
      ].join('\n'),
    );
  });

  it.each(bicepFiles)('preserves the length and every line break of %s', (path) => {
    const source = readFileSync(`${REPO_ROOT}/${path}`, 'utf8');
    const adapted = adaptToLegacyGrammar(source);
    expect(adapted).toHaveLength(source.length);
    const breaks = (text: string) => [...text.matchAll(/\n/g)].map((m) => m.index);
    expect(breaks(adapted)).toEqual(breaks(source));
  });
});
