import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROUTES } from '../../lib/app/routeTable';
import { API_CLIENT_ID, TENANT } from '../support/entraTokens';

/**
 * What `func azure functionapp publish` ships: `npm run package` output, installed
 * with production dependencies only, loaded as Core Tools loads it. Proves the app
 * needs nothing from devDependencies, dev/ or the sources at run time.
 */
const root = path.join(__dirname, '../..');
const run = promisify(execFile);
let out: string;

beforeAll(async () => {
  for (const built of ['dist/functions', 'dist-dev/dev/package/main.js']) {
    if (!existsSync(path.join(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  out = path.join(mkdtempSync(path.join(tmpdir(), 'deploy-package-')), 'package');
  await run(process.execPath, [path.join(root, 'dist-dev/dev/package/main.js'), '--out', out], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}, 180_000);

afterAll(() => {
  rmSync(path.dirname(out), { recursive: true, force: true });
});

it('holds the built app, host.json and package files, and no sources, tests or dev tools', () => {
  expect(readdirSync(out).sort()).toEqual(['.funcignore', 'dist', 'host.json', 'node_modules', 'package-lock.json', 'package.json']);
  expect(readdirSync(path.join(out, 'dist')).sort()).toEqual(['functions', 'infra', 'lib']);
  const pkg = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as { main: string; scripts?: unknown };
  expect(pkg.main).toBe('dist/functions/*.js');
  expect(pkg.scripts).toBeUndefined();
});

it('installs production dependencies only', () => {
  for (const dev of ['typescript', 'jest', 'eslint', 'ts-jest', '@azure/msal-node', 'web-tree-sitter', 'azurite']) {
    expect(existsSync(path.join(out, 'node_modules', dev))).toBe(false);
  }
  for (const prod of ['@azure/functions', 'jose', 'zod', 'lru-cache', 'applicationinsights', '@azure/keyvault-keys', '@azure/identity', '@azure/data-tables']) {
    expect(existsSync(path.join(out, 'node_modules', prod, 'package.json'))).toBe(true);
  }
});

it('registers every function when loaded the way Core Tools loads it', async () => {
  const { stdout } = await run(process.execPath, [path.join(root, 'dist-dev/dev/host/listFunctions.js'), out], {
    // The orders store in its deployed form; loading the app never calls it.
    env: { PATH: process.env.PATH ?? '', AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID, ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' },
  });
  const loaded = JSON.parse(stdout) as { functions: { name: string; route: string }[] };
  expect(loaded.functions.map((fn) => `${fn.name} ${fn.route}`).sort()).toEqual(Object.values(ROUTES).map((entry) => `${entry.name} ${entry.route}`).sort());
});
