import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileInfra, readResult } from '../../dev/infra/compileInfra';
import { formatDiagnostic } from '../../dev/infra/diagnostics';
import { findOnPath } from '../../packages/azure-functions-entra-dev/src/process/findOnPath';
import { infraPaths } from '../../dev/infra/infraPaths';
import { parseBicep } from './support/bicepSyntax';

const paths = infraPaths();
const result = readResult(paths.outDir);

describe('the Bicep CLI compile of infra/ (npm run infra:build)', () => {
  it('ran, or was skipped only where no CLI can be had and CI may not insist on one', () => {
    expect(result).toBeDefined();
    if (result?.status === 'skipped') {
      expect({ ci: Boolean(process.env.CI) && findOnPath('dotnet') !== undefined, reason: result.reason }).toEqual({ ci: false, reason: expect.any(String) });
    } else {
      expect({ status: result?.status, problems: result?.problems }).toEqual({ status: 'ok', problems: [] });
    }
  });

  it('ends with 0 errors and 0 warnings from build, build-params and lint', () => {
    expect((result?.diagnostics ?? []).filter((d) => d.level !== 'Info').map(formatDiagnostic)).toEqual([]);
  });

  it('compiles the Graph modules against the local copy of the extension, not the registry', () => {
    if (result?.status !== 'skipped') expect(result?.graphExtension).toBe('local');
  });
});

/**
 * Mistakes tree-sitter parses without complaint. The Bicep CLI reports them: a missing module
 * output as an error, the rest as warnings (it exits 0 on those, trusting that resource type
 * definitions may lag the service), and infra:build fails on warnings too.
 */
const MISTAKES = [
  { file: 'modules/functionApp.bicep', from: 'httpsOnly: true', to: 'httpsOnlyy: true', code: 'BCP089', what: 'a misspelt property name' },
  { file: 'modules/functionApp.bicep', from: "minTlsVersion: '1.2'", to: "tlsFloor: '1.2'", code: 'BCP037', what: 'a property the type does not have' },
  { file: 'modules/hostStorage.bicep', from: 'allowSharedKeyAccess: false', to: "allowSharedKeyAccess: 'no'", code: 'BCP036', what: 'a value of the wrong type' },
  { file: 'modules/functionApp.bicep', from: "'Microsoft.Web/serverfarms@2024-04-01'", to: "'Microsoft.Web/serverfarms@2024-13-01'", code: 'BCP081', what: 'an API version that does not exist' },
  { file: 'main.bicep', from: 'functionApp.outputs.name', to: 'functionApp.outputs.appName', code: 'BCP053', what: 'a module output that does not exist', level: 'Error' },
];

const describeWithCli = result?.cli && existsSync(result.cli.path) ? describe : describe.skip;

describeWithCli('the compile catches what the tree-sitter parse cannot', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'infra-scratch-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fails on a misspelt or unknown property, a wrongly typed value, an unknown API version and a missing module output, with the CLI\'s own codes', async () => {
    const infraCopy = join(scratch, 'infra');
    cpSync(paths.infraDir, infraCopy, { recursive: true });
    const expected = [];
    for (const mistake of MISTAKES) {
      const path = join(infraCopy, mistake.file);
      const source = readFileSync(path, 'utf8');
      const index = source.indexOf(mistake.from);
      expect({ mistake: mistake.what, found: index >= 0 }).toEqual({ mistake: mistake.what, found: true });
      const changed = source.slice(0, index) + mistake.to + source.slice(index + mistake.from.length);
      writeFileSync(path, changed);
      expect((await parseBicep(readFileSync(path, 'utf8'))).problems).toEqual([]);
      expected.push({ file: `infra/${mistake.file}`, line: source.slice(0, index).split('\n').length, code: mistake.code, level: mistake.level ?? 'Warning' });
    }
    const scratchResult = await compileInfra({ cli: result!.cli!, infraDir: infraCopy, outDir: join(scratch, 'out'), cacheDir: paths.cacheDir, graphTypesDir: paths.graphTypesDir, steps: ['build'] });
    expect(scratchResult.status).toBe('failed');
    const found = scratchResult.diagnostics.map(({ file, line, code, level }) => ({ file, line, code, level }));
    expect(found).toEqual(expect.arrayContaining(expected));
  }, 180_000);
});
