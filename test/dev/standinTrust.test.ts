import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StandinRecord } from '../../packages/azure-functions-entra-dev/src/standin/standinState';
import { localEnvironment } from '../../packages/azure-functions-entra-dev/src/host/localSettings';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';
import { createCaTrustingFetch } from '../../packages/azure-functions-entra-dev/src/tls/caTrustingFetch';
import { standinRegistry } from '../support/standinRegistry';

/**
 * Issue 13 §8: on a machine whose environment already sets NODE_EXTRA_CA_CERTS (here the
 * system bundle, as corporate machines do), the value in local.settings.json is skipped
 * (Core Tools and the dev host both let the environment win), so the stand-in's CA must
 * reach the key fetch another way: AUTH_INSTANCE_CA_FILE. The stand-in and the dev host
 * worker run as processes, the worker with exactly the environment `func start` or
 * `npm run serve` would give it. Needs the builds (`npm test` runs them first).
 */
const root = path.join(__dirname, '../..');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const registry = standinRegistry();
const api = registry.apiByName('orders-api');
const reader = registry.clientByName('reader');

const processes: ChildProcess[] = [];
let stateDir: string;
let standin: StandinRecord;
let token: string;

function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, log?: string[]): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, script), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  processes.push(child);
  child.stderr.on('data', (chunk: Buffer) => log?.push(chunk.toString('utf8')));
  return child;
}

/** The settings a developer's local.settings.json holds (copied from the sample), with this run's stand-in. */
function localSettingsValues(withCaFile: boolean): Record<string, string> {
  return {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    AUTH_TENANT_ID: standin.tenantId,
    AUTH_CLIENT_ID: api?.clientId ?? '',
    AUTH_APP_ID_URI: api?.appIdUri ?? '',
    AUTH_INSTANCE: standin.url,
    NODE_EXTRA_CA_CERTS: standin.caPath,
    ...(withCaFile && { AUTH_INSTANCE_CA_FILE: standin.caPath }),
    // The app needs an orders store to start; /api/me never calls it. No Azurite runs here, so
    // the deny list (same account) can never be read: this test is about key-fetch trust, so it
    // opts into fail-open rather than every call answering 503 revocation_unavailable.
    ORDERS_STORAGE: 'UseDevelopmentStorage=true',
    REVOCATION_FAIL_OPEN: 'true',
  };
}

/** A dev host worker started as `npm run serve` starts it: local.settings.json Values under an environment that wins. */
async function startHost(withCaFile: boolean): Promise<{ url: string; log: string[] }> {
  const appDir = mkdtempSync(path.join(stateDir, 'app-'));
  writeFileSync(path.join(appDir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: localSettingsValues(withCaFile) }));
  const env = localEnvironment(appDir, { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: SYSTEM_BUNDLE, PORT: '0' });
  expect(env.NODE_EXTRA_CA_CERTS).toBe(SYSTEM_BUNDLE); // the machine's value wins, as under Core Tools
  const log: string[] = [];
  const host = startNode('packages/azure-functions-entra-dev/dist/host/worker.js', [root], env, log);
  const { devHost } = await waitForJsonLine<{ devHost: string }>(host, 'devHost', { echo: (line) => log.push(line) });
  return { url: devHost, log };
}

async function getMe(host: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${host}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  for (const built of ['packages/azure-functions-entra-dev/dist/standin/main.js', 'packages/azure-functions-entra-dev/dist/host/worker.js', 'dist/functions/orders.js']) {
    if (!existsSync(path.join(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  if (!existsSync(SYSTEM_BUNDLE)) throw new Error(`${SYSTEM_BUNDLE} is missing: this test needs a system CA bundle to stand for a corporate NODE_EXTRA_CA_CERTS`);
  stateDir = mkdtempSync(path.join(tmpdir(), 'standin-trust-'));
  const standinProcess = startNode('packages/azure-functions-entra-dev/dist/standin/main.js', ['--port', '0', '--state-dir', stateDir, '--quiet'], { PATH: process.env.PATH ?? '' });
  standin = await waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority');
  const response = await createCaTrustingFetch(readFileSync(standin.caPath, 'utf8'))(`${standin.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: reader?.clientId ?? '', client_secret: reader?.secret ?? '', scope: `${api?.appIdUri ?? ''}/.default` }),
  });
  token = ((await response.json()) as { access_token: string }).access_token;
}, 60_000);

afterAll(() => {
  for (const child of processes) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the stand-in with NODE_EXTRA_CA_CERTS already set to the system bundle', () => {
  it('is trusted through AUTH_INSTANCE_CA_FILE: the API answers 200', async () => {
    const host = await startHost(true);
    const response = await getMe(host.url);
    expect(response.status).toBe(200);
  }, 30_000);

  it('without it, answers 503 keys_unavailable and logs that it is a certificate problem, naming the fix', async () => {
    const host = await startHost(false);
    const response = await getMe(host.url);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'keys_unavailable' });
    const log = host.log.join('\n');
    expect(log).toContain('TLS certificate problem');
    expect(log).toMatch(/TLS certificate problem: [A-Z_]+ \(.*\); fix: set AUTH_INSTANCE_CA_FILE to the CA certificate of the local authority/);
    expect(log).not.toContain(token);
  }, 30_000);
});
