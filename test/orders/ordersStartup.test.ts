import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { API_CLIENT_ID, TENANT } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';

/**
 * The built app loaded as Core Tools loads it (packages/azure-functions-entra-dev/dist/host/loadFunctionApp), in
 * a plain Node process. Needs `npm run build` and `npm run build:dev` first.
 */
const root = path.join(__dirname, '../..');
const loader = path.join(root, 'packages/azure-functions-entra-dev/dist/host/loadFunctionApp.js');
const run = promisify(execFile);

/** Loads the app and prints which store modules got loaded at startup. */
const PROGRAM = `
const { loadFunctionApp } = require(${JSON.stringify(loader)});
loadFunctionApp(${JSON.stringify(root)});
const loaded = Object.keys(require.cache);
process.stdout.write(JSON.stringify({
  dataTables: loaded.some((file) => file.includes('/node_modules/@azure/data-tables/')),
}));`;

async function load(env: Record<string, string>): Promise<{ dataTables: boolean }> {
  const { stdout } = await run(process.execPath, ['-e', PROGRAM], { env: { PATH: process.env.PATH ?? '', AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID, ...env } });
  return JSON.parse(stdout) as { dataTables: boolean };
}

beforeAll(() => {
  if (!existsSync(loader) || !existsSync(path.join(root, 'dist/functions/orders.js'))) throw new Error('build first: npm run build && npm run build:dev');
});

it('refuses to start without an orders store setting, naming ORDERS_STORAGE', async () => {
  await expect(load({})).rejects.toMatchObject({ stderr: expect.stringContaining('Invalid setting ORDERS_STORAGE: is required') });
});

it('refuses both forms at once, naming ORDERS_STORAGE__tableServiceUri', async () => {
  const both = load({ ORDERS_STORAGE: 'UseDevelopmentStorage=true', ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' });
  await expect(both).rejects.toMatchObject({ stderr: expect.stringContaining('Invalid setting ORDERS_STORAGE__tableServiceUri') });
});

it('starts without loading @azure/data-tables: the store loads it on its first call', async () => {
  expect(await load({ ORDERS_STORAGE: 'UseDevelopmentStorage=true' })).toEqual({ dataTables: false });
  expect(await load({ ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' })).toEqual({ dataTables: false });
});
