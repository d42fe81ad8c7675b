import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findAppRoot } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';

const ROOT = findAppRoot();

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith('.ts') ? [path] : []);
    }),
  );
  return nested.flat();
}

describe('dev tooling stays out of production code', () => {
  it('no module under functions/ or lib/ imports anything from dev/', async () => {
    const devDir = join(ROOT, 'dev') + sep;
    const offenders: string[] = [];
    const files = [...(await sourceFiles(join(ROOT, 'functions'))), ...(await sourceFiles(join(ROOT, 'lib')))];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = resolve(dirname(file), match[1] ?? '');
        if ((target + sep).startsWith(devDir)) offenders.push(`${relative(ROOT, file)} → ${match[1] ?? ''}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
