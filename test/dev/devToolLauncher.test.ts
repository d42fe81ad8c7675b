import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findAppRoot } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { runNode, type NodeRun } from '../support/nodeProcesses';

/**
 * dev/launch/devTool.cjs (what `npm run token`, `standin`, `inspect`, `infra:build` run)
 * in a scratch repository of its own: one tiny dev tool, this repository's TypeScript.
 */
const root = findAppRoot();
let scratch: string;
const tool = () => path.join(scratch, 'dev', 'scripts', 'hello.ts');

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'dev-tool-launcher-'));
  mkdirSync(path.join(scratch, 'dev', 'launch'), { recursive: true });
  mkdirSync(path.join(scratch, 'dev', 'scripts'), { recursive: true });
  copyFileSync(path.join(root, 'dev', 'launch', 'devTool.cjs'), path.join(scratch, 'dev', 'launch', 'devTool.cjs'));
  symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  writeFileSync(path.join(scratch, 'package.json'), '{"private":true}\n');
  writeFileSync(
    path.join(scratch, 'tsconfig.dev.json'),
    JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'ES2022', strict: true, types: [], rootDir: '.', outDir: 'dist-dev' }, include: ['dev'] }),
  );
  writeHello('hello');
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

// File times handed out in order, each after the last, so "newer" never depends on the clock's resolution.
let clock = Date.now();
function stamp(file: string): void {
  clock += 10_000;
  utimesSync(file, new Date(clock), new Date(clock));
}

/** Writes the tool, dated after anything before, as an edit would be. */
function writeHello(word: string): void {
  writeFileSync(tool(), `declare const process: { argv: string[] };\nconsole.log(${JSON.stringify(word)}, process.argv.slice(2).join(' '));\n`);
  stamp(tool());
}

function launch(...args: string[]): Promise<NodeRun> {
  return runNode(path.join(scratch, 'dev', 'launch', 'devTool.cjs'), ['scripts/hello', ...args]);
}

describe('the dev tool launcher', () => {
  it('builds when the build is missing, then runs the built tool with its arguments; stdout stays the tool\'s', async () => {
    const run = await launch('a', 'b');
    expect(run).toMatchObject({ code: 0, stdout: 'hello a b\n' });
    expect(run.stderr).toContain('[dev tools] dist-dev/dev/scripts/hello.js is missing: building them');
  }, 60_000);

  it('runs the build as it is, without tsc, when no source is newer', async () => {
    // The build made by the test before, dated after the source.
    stamp(path.join(scratch, 'dist-dev', 'dev', 'scripts', 'hello.js'));
    const run = await launch('c');
    expect(run).toEqual({ code: 0, stdout: 'hello c\n', stderr: '' });
  });

  it('rebuilds when a source is newer than the build, naming it', async () => {
    writeHello('edited');
    const run = await launch();
    expect(run.stdout).toBe('edited \n');
    expect(run.stderr).toContain('[dev tools] dev/scripts/hello.ts changed since the last build: building them');
  }, 60_000);

  it('stops on a failed build, and builds again next time rather than run what that build left', async () => {
    writeFileSync(tool(), 'const n: number = "not a number";\nconsole.log(n);\n');
    stamp(tool());
    const first = await launch();
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain('[dev tools] the build failed (tsc exit 2): fix the errors above');
    const again = await launch();
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('changed since the last build');
  }, 60_000);
});
