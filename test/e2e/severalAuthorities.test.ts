import { execFile } from 'node:child_process';
import { createSign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startAzuriteTable, type AzuriteTable } from '../../dev/azurite/azuriteTable';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';
import { signingKeyFile } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { SigningKeyStore } from '../../packages/azure-functions-entra-dev/src/standin/signingKeys';
import type { StandinRecord } from '../../packages/azure-functions-entra-dev/src/standin/standinState';
import { NodeProcesses } from '../support/nodeProcesses';
import { standinRegistry } from '../support/standinRegistry';

/**
 * Issue 22 item 4, end to end: the app configured as local.settings.sample.json configures
 * it (employees, customers through External ID, legacy customers through B2C, all served
 * by one stand-in), run in the dev host as a real process, with tokens from the
 * `entra-dev token` command line exactly as README shows them.
 */
const root = path.join(__dirname, '../..');
const cli = path.join(root, 'packages/azure-functions-entra-dev/dist/cli/main.js');
const run = promisify(execFile);
const processes = new NodeProcesses();
let stateDir: string;
let standin: StandinRecord;
let host: string;
let azurite: AzuriteTable;

/** The sample's settings, its stand-in port replaced by the one this test's stand-in got. */
function sampleSettings(): Record<string, string> {
  const sample = JSON.parse(readFileSync(path.join(root, 'local.settings.sample.json'), 'utf8')) as { Values: Record<string, string> };
  const authorities = sample.Values.AUTH_AUTHORITIES ?? '';
  expect(authorities).toContain('https://127.0.0.1:7443');
  return { AUTH_AUTHORITIES: authorities.replaceAll('https://127.0.0.1:7443', standin.url), AUTH_INSTANCE_CA_FILE: standin.caPath };
}

/** `entra-dev token ...` as a developer types it; only the token is on stdout. */
async function cliToken(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [cli, 'token', '--state-dir', stateDir, '--port', String(standin.port), '--api', 'orders-api', ...args], { cwd: root });
  return stdout.trim();
}

async function call(method: string, route: string, bearer: string) {
  const response = await fetch(`${host}/api/${route}`, { method, headers: { authorization: `Bearer ${bearer}` } });
  const text = await response.text();
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined };
}

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  for (const built of [cli, path.join(root, 'packages/azure-functions-entra-dev/dist/host/worker.js'), path.join(root, 'dist/functions/orders.js')]) {
    if (!existsSync(built)) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  stateDir = mkdtempSync(path.join(tmpdir(), 'e2e-authorities-'));
  azurite = await startAzuriteTable({ location: path.join(stateDir, 'azurite') });
  const standinProcess = processes.start(cli, ['standin', '--port', '0', '--state-dir', stateDir, '--quiet'], {});
  standin = await waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority');
  const hostProcess = processes.start(path.join(root, 'packages/azure-functions-entra-dev/dist/host/worker.js'), [root], {
    PORT: '0',
    // No NODE_EXTRA_CA_CERTS: the sample's AUTH_INSTANCE_CA_FILE alone must carry the trust, for
    // every authority's documents, as on a machine whose environment already sets that variable.
    ...sampleSettings(),
    ORDERS_STORAGE: azurite.connectionString,
  });
  host = (await waitForJsonLine<{ devHost: string }>(hostProcess, 'devHost')).devHost;
}, 60_000);

afterAll(async () => {
  processes.stopAll();
  await azurite.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

it("lets each authority's callers in on /api/me, naming the authority that verified them", async () => {
  const employee = await cliToken('--client', 'writer');
  const customerDaemon = await cliToken('--client', 'writer', '--authority', 'externalId');
  const customerUser = await cliToken('--client', 'reader', '--authority', 'externalId', '--user', '--scope', 'Orders.Read');
  const legacyUser = await cliToken('--client', 'reader', '--authority', 'b2c', '--user', '--scope', 'Orders.Read');

  // The External ID tenant is a tenant of its own (local.entra.json externalIdTenant), as in Azure.
  const ciam = standinRegistry().externalIdTenant.id;
  expect(ciam).not.toBe(standin.tenantId);
  expect(payloadOf(customerDaemon)).toMatchObject({ iss: `https://${ciam}.ciamlogin.com/${ciam}/v2.0`, tid: ciam });
  expect(await call('GET', 'me', employee)).toMatchObject({ status: 200, body: { authority: 'employees', authorityKind: 'workforce', isAppOnly: true } });
  expect(await call('GET', 'me', customerDaemon)).toMatchObject({ status: 200, body: { authority: 'customers', authorityKind: 'externalId', isAppOnly: true, tenantId: ciam } });
  expect(await call('GET', 'me', customerUser)).toMatchObject({ status: 200, body: { authority: 'customers', isAppOnly: false, scopes: ['Orders.Read'] } });
  expect(await call('GET', 'me', legacyUser)).toMatchObject({ status: 200, body: { authority: 'legacyCustomers', authorityKind: 'b2c', userFlow: 'B2C_1_signupsignin', tenantId: standinRegistry().b2cTenant.id } });
});

it('keeps orders and the deny list to the staff: customers get 401 authority_not_accepted, employees get in', async () => {
  const employee = await cliToken('--client', 'writer');
  expect((await call('GET', 'orders', employee)).status).toBe(200);
  for (const customer of [
    await cliToken('--client', 'writer', '--authority', 'externalId'),
    await cliToken('--client', 'reader', '--authority', 'b2c', '--user', '--scope', 'Orders.Read'),
  ]) {
    const refused = await call('GET', 'orders', customer);
    expect(refused).toMatchObject({ status: 401, body: { code: 'authority_not_accepted' } });
    expect(refused.challenge).toMatch(/^Bearer realm="api:\/\/orders-api", error="invalid_token"/);
  }
  // The revoker holds Revocations.Manage in the External ID tenant too: still not staff.
  expect(await call('GET', 'manage/revocations', await cliToken('--client', 'revoker', '--authority', 'externalId'))).toMatchObject({ status: 401, body: { code: 'authority_not_accepted' } });
  expect((await call('GET', 'manage/revocations', await cliToken('--client', 'revoker'))).status).toBe(200);
});

it("refuses a customer token signed with the workforce tenant's genuine key, and a user flow the app does not accept", async () => {
  const honest = await cliToken('--client', 'writer', '--authority', 'externalId');
  const workforceKey = (await SigningKeyStore.open({ file: signingKeyFile(stateDir, 'workforce') })).active;
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: workforceKey.kid })).toString('base64url');
  const signingInput = `${header}.${honest.split('.')[1] ?? ''}`;
  const forged = `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(workforceKey.privateKey).toString('base64url')}`;
  expect(await call('GET', 'me', forged)).toMatchObject({ status: 401, body: { code: 'key_not_found' } });

  const otherFlow = await cliToken('--client', 'reader', '--authority', 'b2c', '--user', '--scope', 'Orders.Read', '--user-flow', 'B2C_1_passwordreset');
  expect((await call('GET', 'me', otherFlow)).status).toBe(401);
});
