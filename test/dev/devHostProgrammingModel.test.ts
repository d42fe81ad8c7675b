import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The dev host runs functions through the app's own @azure/functions, as the
 * Functions worker does: the library the app bundles or installs builds the request
 * and context and converts the answer. Run in a child Node process (the dev host
 * answers the app's require of @azure/functions-core, which jest's module system
 * would bypass), against a small app written for the test. Needs `npm run build:dev`.
 */
const root = path.join(__dirname, '../..');
const run = promisify(execFile);
let appRoot: string;

beforeAll(() => {
  appRoot = mkdtempSync(path.join(tmpdir(), 'dev-host-app-'));
  writeFileSync(path.join(appRoot, 'package.json'), JSON.stringify({ name: 'probe', main: 'index.js' }));
  writeFileSync(path.join(appRoot, 'host.json'), JSON.stringify({ version: '2.0' }));
  writeFileSync(
    path.join(appRoot, 'index.js'),
    `const { app, HttpResponse } = require(${JSON.stringify(path.join(root, 'node_modules/@azure/functions'))});
app.http('probe', {
  route: 'things/{id}', methods: ['POST'], authLevel: 'anonymous',
  handler: async (request, context) => {
    context.log('probe saw', request.params.id);
    const body = await request.json();
    return new HttpResponse({ status: 201, jsonBody: { id: request.params.id, q: request.query.get('q'), sent: body, caller: request.headers.get('x-caller') },
      headers: { 'x-probe': 'yes' }, cookies: [{ name: 'session', value: 'abc', path: '/', httpOnly: true, secure: true, sameSite: 'Strict' }] });
  },
});`,
  );
});

afterAll(() => {
  rmSync(appRoot, { recursive: true, force: true });
});

it("serves a function through the app's programming model, loading no @azure/functions of its own", async () => {
  const script = `
const { loadFunctionApp } = require(${JSON.stringify(path.join(root, 'packages/azure-functions-entra-dev/dist/host/loadFunctionApp.js'))});
const { startDevHost } = require(${JSON.stringify(path.join(root, 'packages/azure-functions-entra-dev/dist/host/devHost.js'))});
const azureFunctionsCopies = () => Object.keys(require.cache).filter((file) => /@azure[\\\\/]functions[\\\\/]dist/.test(file)).length;
const beforeApp = azureFunctionsCopies();
(async () => {
  const logs = [];
  const app = loadFunctionApp(process.argv[1]);
  const host = await startDevHost({ functions: app.functions, routePrefix: app.routePrefix, port: 0, log: (line) => logs.push(line) });
  const response = await fetch(host.url + '/api/things/42?q=x', { method: 'POST', headers: { 'content-type': 'application/json', 'x-caller': 'test' }, body: JSON.stringify({ n: 1 }) });
  const out = { status: response.status, probe: response.headers.get('x-probe'), cookie: response.headers.get('set-cookie'), body: await response.json(), logs,
    beforeApp, afterApp: azureFunctionsCopies() };
  await host.stop();
  process.stdout.write(JSON.stringify(out));
})();`;
  const { stdout } = await run(process.execPath, ['-e', script, appRoot]);
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toMatchObject({
    status: 201,
    probe: 'yes',
    cookie: 'session=abc; Path=/; Secure; HttpOnly; SameSite=Strict',
    body: { id: '42', q: 'x', sent: { n: 1 }, caller: 'test' },
    beforeApp: 0,
    afterApp: 1,
  });
  expect(out.logs).toEqual(expect.arrayContaining(['[probe] information: probe saw 42']));
});
