import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { appRoutes } from '../../lib/app/routeTable';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { API_CLIENT_ID, TENANT } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';

const ROUTES = appRoutes(loadDeclaredPermissions());

/**
 * Loads the built app in a plain Node process the way Core Tools does: `main` from
 * package.json, every entry file required, registrations captured through the
 * `@azure/functions-core` module the worker provides. Needs `npm run build` and
 * `npm run build:dev` first (the `npm test` script runs them).
 */
const root = path.join(__dirname, '../..');
const lister = path.join(root, 'packages/azure-functions-entra-dev/dist/host/listFunctions.js');
const run = promisify(execFile);

async function listFunctions(env: Record<string, string>) {
  // The orders store is made lazily: a connection string it never uses is enough to load the app.
  const { stdout } = await run(process.execPath, [lister, root], { env: { PATH: process.env.PATH ?? '', ORDERS_STORAGE: 'UseDevelopmentStorage=true', ...env } });
  return JSON.parse(stdout) as { routePrefix: string; entryFiles: string[]; functions: { name: string; route: string; methods: string[]; authLevel: string }[] };
}

beforeAll(() => {
  if (!existsSync(lister) || !existsSync(path.join(root, 'dist/functions'))) {
    throw new Error('build first: npm run build && npm run build:dev');
  }
});

it('registers every function of the route table with its route and methods', async () => {
  const loaded = await listFunctions({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID });
  expect(loaded.routePrefix).toBe('api');
  expect(loaded.entryFiles).toEqual(['dist/functions/index.js']);
  const expected = Object.values(ROUTES).map((entry) => ({
    name: entry.name,
    route: entry.route,
    methods: 'policy' in entry ? Object.keys(entry.policy) : [...entry.methods],
    authLevel: 'anonymous',
  }));
  expect([...loaded.functions].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
});

it('leaves the OpenAPI document unregistered with OPENAPI_DOCUMENT=off, and nothing else', async () => {
  const on = await listFunctions({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID });
  const off = await listFunctions({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID, OPENAPI_DOCUMENT: 'off' });
  expect(on.functions.map((f) => f.name)).toContain(ROUTES.openapi.name);
  expect(off.functions.map((f) => f.name)).toEqual(on.functions.map((f) => f.name).filter((name) => name !== ROUTES.openapi.name));
});

it('loads no module that a configuration without vault, Entra-authenticated ingestion or orders calls does not use, beyond the deny list\'s table', async () => {
  const { stdout } = await run(process.execPath, [path.join(root, 'dist-dev/dev/package/loadReport.js'), root], {
    // The orders store in its deployed, identity-based form. The deny list reads its table (same account) at appStart:
    // a token is accepted only once its rules are known, so the table client and @azure/identity load then.
    env: { PATH: process.env.PATH ?? '', AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID, AUTH_INSTANCE: 'https://127.0.0.1:9', ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' },
  });
  const report = JSON.parse(stdout) as { modules: string[]; builtins: string[] };
  const packages = new Set(
    report.modules.flatMap((file) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? []),
  );
  expect([...packages]).toEqual(expect.arrayContaining(['@azure/functions', 'zod', '@azure/data-tables', '@azure/identity']));
  for (const unused of ['@azure/keyvault-keys', '@azure/msal-node', 'applicationinsights', '@opentelemetry/api', 'jose']) {
    expect(packages).not.toContain(unused);
  }
  // The appStart key fetch ran over node:https (the auth package's createNodeHttpFetch). Whether fetch's implementation
  // (undici) loads is no longer shown here: @azure/identity, loaded at start for the deny list's table, loads it itself.
  expect(report.builtins).toEqual(expect.arrayContaining(['https']));
});

it('refuses to start with a bad setting, naming it', async () => {
  const failure = listFunctions({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: 'not-a-guid' });
  await expect(failure).rejects.toMatchObject({ stderr: expect.stringContaining('Invalid setting AUTH_CLIENT_ID: must be a GUID') });
});
