import path from 'node:path';
import { Linter } from 'eslint';

/** The lint rule that holds the package boundary, run on sources placed where the rule judges them. */
const ROOT = path.join(__dirname, '..', '..');

// The same rule object eslint.config.mjs registers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { packageBoundary } = require(path.join(ROOT, 'eslint', 'packageBoundary.cjs')) as { packageBoundary: never };

function problems(file: string, code: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const config = [{ files: ['**/*.ts'], languageOptions: { sourceType: 'module' as const }, plugins: { boundary: { rules: { 'package-boundary': packageBoundary } } }, rules: { 'boundary/package-boundary': 'error' as const } }];
  return linter.verify(code, config, { filename: path.join(ROOT, file) }).map((message) => message.message);
}

describe('the package boundary lint rule', () => {
  it("refuses a package file's relative import that leaves the package folder", () => {
    const found = problems('packages/azure-functions-entra-auth/src/verify/x.ts', "import { ROUTES } from '../../../../lib/app/routeTable';");
    expect(found).toEqual([expect.stringContaining('A package imports nothing outside its own folder: "../../../../lib/app/routeTable"')]);
  });

  it('refuses a require() out of the package too', () => {
    const found = problems('packages/azure-functions-entra-auth/src/index.ts', "const x = require('../../../infra/permissions.json');");
    expect(found).toHaveLength(1);
  });

  it("accepts a package file's own relative imports, node: built-ins and npm packages", () => {
    const code = "import { a } from '../errors/refusal';\nimport { b } from './x';\nimport { c } from 'node:crypto';\nimport { z } from 'zod/mini';";
    expect(problems('packages/azure-functions-entra-auth/src/verify/x.ts', code)).toEqual([]);
  });

  it('refuses an app file reaching into packages/ by path, and accepts the package name', () => {
    expect(problems('lib/app/runtime.ts', "import { x } from '../../packages/azure-functions-entra-auth/src/index';")).toEqual([
      expect.stringContaining('The app uses a package by its name only'),
    ]);
    expect(problems('functions/me.ts', "import { createEntraAuth } from 'azure-functions-entra-auth';")).toEqual([]);
  });
});
