import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { waitForJsonLine } from '../../packages/azure-functions-entra-dev/src/process/jsonLine';
import { Registry } from '../../packages/azure-functions-entra-dev/src/standin/registry';
import { startStandinHarness, type StandinHarness } from '../dev/support/standinHarness';
import { runNode } from '../support/nodeProcesses';
import { INVOICES_FUNCTION, build, install, repositoryVersions, scaffold, shareInstall, type ScratchApp } from './scratchApp';

/**
 * The auth package as an outside app uses it: `npm pack` makes the tarball, publint and
 * are-the-types-wrong judge it, fresh Functions apps laid out as `func init` lays them
 * out install it, protect GET /api/invoices in a few lines, compile under strict
 * TypeScript as CommonJS and as ES modules, load as the Functions worker loads them (the
 * dev host: package.json `main`, the app's own @azure/functions) and answer over HTTP
 * to tokens from the local Entra stand-in, with the app's own registration.
 */

const REPO = path.join(__dirname, '..', '..');
const PACKAGE_DIR = path.join(REPO, 'packages', 'azure-functions-entra-auth');
const DEV_PACKAGE_DIR = path.join(REPO, 'packages', 'azure-functions-entra-dev');
const WORKER = path.join(REPO, 'packages', 'azure-functions-entra-dev', 'dist', 'host', 'worker.js');
const NODE_MODULES_BIN = path.join(REPO, 'node_modules', '.bin');

/** The outside app's own registrations: an invoices API and two daemons, one granted its role. */
const REGISTRY = {
  tenant: { id: 'de700000-0000-4000-8000-000000000001', domain: 'invoices-dev.onmicrosoft.com', displayName: 'Invoices (dev)' },
  apis: [
    {
      name: 'invoices-api',
      clientId: 'de700000-0000-4000-8000-0000000a0101',
      servicePrincipalId: 'de700000-0000-4000-8000-0000000b0101',
      appIdUri: 'api://invoices-api',
      requestedAccessTokenVersion: 2,
      appRoles: [{ id: 'de700000-0000-4000-8000-0000000e0101', value: 'Invoices.Read', description: 'Read invoices' }],
      scopes: [{ id: 'de700000-0000-4000-8000-0000000f0101', value: 'Invoices.Read', description: 'Read invoices as the signed-in user' }],
    },
    {
      name: 'other-api',
      clientId: 'de700000-0000-4000-8000-0000000a0102',
      servicePrincipalId: 'de700000-0000-4000-8000-0000000b0102',
      appIdUri: 'api://other-api',
      requestedAccessTokenVersion: 2,
      appRoles: [{ id: 'de700000-0000-4000-8000-0000000e0102', value: 'Other.Read', description: 'Read other things' }],
      scopes: [],
    },
  ],
  clients: [
    {
      name: 'accounting',
      clientId: 'de700000-0000-4000-8000-0000000c0101',
      servicePrincipalId: 'de700000-0000-4000-8000-0000000d0101',
      secret: 'dev-only~accounting~not-a-real-secret',
      roles: { 'invoices-api': ['Invoices.Read'], 'other-api': ['Other.Read'] },
    },
    {
      name: 'stranger',
      clientId: 'de700000-0000-4000-8000-0000000c0102',
      servicePrincipalId: 'de700000-0000-4000-8000-0000000d0102',
      secret: 'dev-only~stranger~not-a-real-secret',
      roles: {},
    },
  ],
};

interface RunningApp {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: string[];
}

let work: string;
let tarball: string;
let devTarball: string;
let standin: StandinHarness;
const apps: Record<string, ScratchApp> = {};
const running: RunningApp[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'outside-app-'));
  const pack = (dir: string) => path.join(work, (JSON.parse(execFileSync('npm', ['pack', '--pack-destination', work, '--json', '--loglevel=error'], { cwd: dir, encoding: 'utf8' })) as [{ filename: string }])[0].filename);
  tarball = pack(PACKAGE_DIR);
  devTarball = pack(DEV_PACKAGE_DIR);
  const versions = repositoryVersions(REPO);
  apps.commonjs = scaffold(path.join(work, 'invoices-cjs'), 'commonjs', { auth: tarball, dev: devTarball }, REGISTRY, versions);
  apps.esm = scaffold(path.join(work, 'invoices-esm'), 'esm', { auth: tarball, dev: devTarball }, REGISTRY, versions);
  install(apps.commonjs);
  shareInstall(apps.commonjs, apps.esm);
  standin = await startStandinHarness({ registry: Registry.parse(REGISTRY, 'outside app registry') });
}, 180_000);

afterAll(async () => {
  for (const app of running) app.child.kill('SIGTERM');
  await (standin as StandinHarness | undefined)?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('passes publint', () => {
    const out = execFileSync(path.join(NODE_MODULES_BIN, 'publint'), ['run', tarball, '--strict'], { encoding: 'utf8' });
    expect(out).toContain('All good!');
  });

  it('passes are-the-types-wrong for every entry point, under node10, node16 (CJS and ESM) and bundler resolution', () => {
    const out = execFileSync(path.join(NODE_MODULES_BIN, 'attw'), [tarball, '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(out) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './app-insights', './errors', './openapi', './package.json', './revocation', './settings', './toolkit']);
  });

  it('holds the built package, its sources for source maps, README and CHANGELOG, and nothing of the app or its tests', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/README.md', 'package/CHANGELOG.md', 'package/src/index.ts']));
    expect(files.filter((file) => /^package\/(test|node_modules)\/|tsconfig|jest\.config/.test(file))).toEqual([]);
  });
});

describe('the packed dev package', () => {
  it('passes publint and are-the-types-wrong for its entry points', () => {
    expect(execFileSync(path.join(NODE_MODULES_BIN, 'publint'), ['run', devTarball, '--strict'], { encoding: 'utf8' })).toContain('All good!');
    const report = JSON.parse(execFileSync(path.join(NODE_MODULES_BIN, 'attw'), [devTarball, '--format', 'json'], { encoding: 'utf8' })) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './host', './package.json', './toolkit']);
  });

  it('installs the entra-dev command in the app', () => {
    const out = execFileSync(path.join(apps.commonjs!.root, 'node_modules', '.bin', 'entra-dev'), ['--help'], { encoding: 'utf8' });
    expect(out).toMatch(/standin[\s\S]*token[\s\S]*inspect[\s\S]*host/);
  });
});

describe.each(['commonjs', 'esm'] as const)('a fresh func-init app (%s) protecting GET /api/invoices', (kind) => {
  let app: RunningApp;

  beforeAll(async () => {
    build(apps[kind]!);
    app = await serve(apps[kind]!);
  }, 60_000);

  it("protects its route in at most 15 lines of its own, the package README's quick start word for word", () => {
    expect(INVOICES_FUNCTION.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    expect(readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${INVOICES_FUNCTION}\`\`\``);
    expect(readFileSync(path.join(apps[kind]!.root, 'src', 'functions', 'invoices.ts'), 'utf8')).toBe(INVOICES_FUNCTION);
  });

  it("passes its own test file, which uses the dev package's helpers (node --test)", () => {
    const out = execFileSync(process.execPath, ['--test', path.join('dist', 'test', 'invoices.test.js')], { cwd: apps[kind]!.root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(out).toMatch(/# pass 3\b/);
    expect(out).toMatch(/# fail 0\b/);
  });

  it('answers 200 to a daemon holding the app role', async () => {
    const response = await fetch(`${app.url}/api/invoices`, { headers: { authorization: `Bearer ${await standin.token('accounting', 'invoices-api')}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tenant: REGISTRY.tenant.id, invoices: [] });
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await fetch(`${app.url}/api/invoices`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api://invoices-api"');
    expect(await response.json()).toMatchObject({ code: 'token_missing', status: 401 });
  });

  it('answers 401 invalid_token to a token for another API', async () => {
    const response = await fetch(`${app.url}/api/invoices`, { headers: { authorization: `Bearer ${await standin.token('accounting', 'other-api')}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api:\/\/invoices-api", error="invalid_token", error_description="[^"]+"$/);
    expect(await response.json()).toMatchObject({ code: 'audience_mismatch' });
  });

  it('answers 403 insufficient_scope, naming the role, to a daemon without it', async () => {
    const response = await fetch(`${app.url}/api/invoices`, { headers: { authorization: `Bearer ${await standin.token('stranger', 'invoices-api')}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api:\/\/invoices-api", error="insufficient_scope", error_description="[^"]+", scope="Invoices\.Read"$/);
    expect(await response.json()).toMatchObject({ code: 'insufficient_scope', required: { anyOf: ['Invoices.Read'] } });
  });

  it('registers only the methods its policy names: the host answers DELETE with its empty 404, as the Functions host does', async () => {
    const response = await fetch(`${app.url}/api/invoices`, { method: 'DELETE', headers: { authorization: `Bearer ${await standin.token('accounting', 'invoices-api')}` } });
    expect(response.status).toBe(404);
  });
});

describe('the ES-module app run with the entra-dev command line, as its developer runs it, unchanged', () => {
  const children: ChildProcess[] = [];
  let root: string;
  let standinPort: number;
  let hostUrl: string;
  const entraDev = (args: string[], input?: string) => runNode(path.join(root, 'node_modules', '.bin', 'entra-dev'), args, { cwd: root, env: commandEnv(), input: input ?? '' });
  const start = (args: string[]) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules', '.bin', 'entra-dev'), ...args], { cwd: root, env: commandEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    root = apps.esm!.root;
    build(apps.esm!);
    const standinRecord = await waitForJsonLine<{ url: string; port: number }>(start(['standin', '--port', '0', '--quiet']), 'url');
    standinPort = standinRecord.port;
    const api = REGISTRY.apis[0]!;
    const values = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AUTH_TENANT_ID: REGISTRY.tenant.id,
      AUTH_CLIENT_ID: api.clientId,
      AUTH_APP_ID_URI: api.appIdUri,
      AUTH_INSTANCE: standinRecord.url,
      AUTH_INSTANCE_CA_FILE: '.dev-state/tls/ca.pem',
    };
    writeFileSync(path.join(root, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: values }, null, 2));
    hostUrl = (await waitForJsonLine<{ devHost: string }>(start(['host', '--port', '0']), 'devHost')).devHost;
  }, 60_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
  });

  it('entra-dev token gives a token the app served by entra-dev host answers with 200, and the norole client gets 403', async () => {
    const token = await entraDev(['token', '--client', 'accounting', '--api', 'invoices-api', '--port', String(standinPort)]);
    expect(token.code).toBe(0);
    expect(token.stderr).toContain(`from the running stand-in at https://127.0.0.1:${String(standinPort)}`);
    const ok = await fetch(`${hostUrl}/api/invoices`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    expect(ok.status).toBe(200);
    const stranger = await entraDev(['token', '--client', 'stranger', '--api', 'invoices-api', '--port', String(standinPort)]);
    expect((await fetch(`${hostUrl}/api/invoices`, { headers: { authorization: `Bearer ${stranger.stdout.trim()}` } })).status).toBe(403);
  });

  it("entra-dev inspect explains a token with the app's own route, read from the app itself", async () => {
    const token = await entraDev(['token', '--client', 'stranger', '--api', 'invoices-api', '--port', String(standinPort)]);
    const run = await entraDev(['inspect', '--json', '-'], token.stdout);
    expect(run.code).toBe(0);
    const inspection = JSON.parse(run.stdout) as { verdict: string; routes: { routes: { method: string; path: string; allowed: boolean; answer: string }[] } };
    expect(inspection.verdict).toBe('accepted');
    expect(inspection.routes.routes).toEqual([expect.objectContaining({ method: 'GET', path: '/api/invoices', allowed: false, answer: '403 insufficient_scope' })]);
    expect(run.stdout).not.toContain(token.stdout.trim());
  });

  it('entra-dev host names the port a second host cannot take, and exits 1', async () => {
    const second = await entraDev(['host', '--port', new URL(hostUrl).port]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^\[dev-host\] PORT \d+ on 127\.0\.0\.1 is in use by the dev host \(pid \d+\), run by entra-dev host \(pid \d+\)\. Stop it, or serve on another port: entra-dev host --port \d+/);
  });
});

/** A developer's shell: PATH, and the machine's own NODE_EXTRA_CA_CERTS (the app trusts the stand-in through AUTH_INSTANCE_CA_FILE). */
function commandEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', ...(process.env.NODE_EXTRA_CA_CERTS !== undefined && { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }) };
}

/** Runs the built app in the dev host, as `func start` would, with the app settings of a deployment against the stand-in. */
async function serve(app: ScratchApp): Promise<RunningApp> {
  const api = standin.api('invoices-api');
  const child = spawn(process.execPath, [WORKER, app.root], {
    cwd: app.root,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      AUTH_TENANT_ID: standin.standin.tenantId,
      AUTH_CLIENT_ID: api.clientId,
      AUTH_APP_ID_URI: api.appIdUri,
      AUTH_INSTANCE: standin.standin.url,
      AUTH_INSTANCE_CA_FILE: standin.standin.caPath,
      // As on many corporate machines: the environment names another bundle, so the CA must come from the setting.
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output.push(line);
      if (line.startsWith('{"devHost"')) resolve((JSON.parse(line) as { devHost: string }).devHost);
    });
    child.on('exit', (code) => {
      reject(new Error(`the ${app.kind} app exited with ${String(code)}:\n${output.join('\n')}`));
    });
  });
  const started = { url, child, output };
  running.push(started);
  return started;
}
