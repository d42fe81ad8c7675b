import { randomBytes } from 'node:crypto';
import { startStandinHarness, type StandinHarness } from '../dev/support/standinHarness';
import { startRequestTrap, type RequestTrap } from '../../packages/azure-functions-entra-auth/test/support/hostileTokens';
import { inspectChild, settingsFolder, tokenLeaks, type InspectorRun } from './support/runInspector';
import { delegatedToken, standinSettings } from './support/standinTokens';

/**
 * The built command (`node packages/azure-functions-entra-dev/dist/inspect/main.js`, what `npm run inspect` runs)
 * as a real child process: exit codes, standard input, bad settings and junk, and a
 * byte scan of everything it writes for the token and each of its segments.
 */

// Each case starts node a few times; on a loaded 2-core CI machine that can take a while.
jest.setTimeout(60_000);

let h: StandinHarness;
let trap: RequestTrap;
let settingsFile: string;
let trapSettingsFile: string;
let caInFileSettings: string;
const folders: { remove(): Promise<void> }[] = [];
let appOnly: string;
let delegated: string;

async function folderFor(values: Record<string, string>): Promise<string> {
  const folder = await settingsFolder(values);
  folders.push(folder);
  return folder.file;
}

beforeAll(async () => {
  h = await startStandinHarness();
  trap = await startRequestTrap({ keys: [] });
  settingsFile = await folderFor(standinSettings(h, 'orders-api'));
  trapSettingsFile = await folderFor(standinSettings(h, 'orders-api', { AUTH_INSTANCE: trap.url }));
  caInFileSettings = await folderFor(standinSettings(h, 'orders-api', { NODE_EXTRA_CA_CERTS: h.standin.caPath }));
  appOnly = await h.token('reader', 'orders-api');
  delegated = await delegatedToken(h, 'orders-api', 'writer', { scp: 'Orders.ReadWrite' });
});
afterAll(async () => {
  await Promise.all(folders.map((folder) => folder.remove()));
  await trap.stop();
  await h.stop();
});

/** The child trusts the stand-in as the app does locally: NODE_EXTRA_CA_CERTS. Nothing else leaks in from this process. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: h.standin.caPath, ...extra });

function expectNoLeak(run: InspectorRun, token: string): void {
  expect(tokenLeaks(run.stdout, token)).toEqual([]);
  expect(tokenLeaks(run.stderr, token)).toEqual([]);
}

function expectNoStackTrace(run: InspectorRun): void {
  for (const output of [run.stdout.toString(), run.stderr.toString()]) {
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(output).not.toMatch(/TypeError|RangeError|SyntaxError|internal error/);
  }
}

describe('exit codes and the byte scan', () => {
  it.each([
    ['an app-only token', () => appOnly],
    ['a delegated token', () => delegated],
  ])('accepts %s read from standard input (-): exit 0, and no byte of the token or its segments in stdout or stderr', async (_name, token) => {
    for (const args of [['-'], ['--json', '-'], ['--show-claims', '-'], ['--offline', '-']]) {
      const run = await inspectChild(['--settings', settingsFile, ...args], { env: env(), stdin: token() });
      expect(run.code).toBe(0);
      expectNoLeak(run, token());
    }
  });

  it('prints the checks and the route table for a person', async () => {
    const run = await inspectChild(['--settings', settingsFile, '-'], { env: env(), stdin: appOnly });
    expect(run.code).toBe(0);
    expect(run.text()).toMatch(/^ACCEPTED: /);
    expect(run.text()).toContain('POST /api/orders');
    expect(run.text()).toContain('needs app role Orders.ReadWrite; token has roles Orders.Read');
    expect(run.text()).toContain('tenant-route rule');
  });

  it('refuses a token given as an argument: exit 1, the failing check named, and the argument never echoed', async () => {
    const other = await folderFor(standinSettings(h, 'orders-api-v1'));
    for (const args of [[appOnly], ['--json', appOnly]]) {
      const run = await inspectChild(['--settings', other, ...args], { env: env() });
      expect(run.code).toBe(1);
      expect(run.text()).toContain('claims.aud');
      expect(run.text()).toContain('audience_mismatch');
      expectNoLeak(run, appOnly);
    }
  });

  it('trusts the CA that the settings file names in NODE_EXTRA_CA_CERTS for a local stand-in, as npm start makes the app do', async () => {
    const run = await inspectChild(['--settings', caInFileSettings, '--json', '-'], { env: { PATH: process.env.PATH }, stdin: appOnly });
    expect(run.json()).toMatchObject({ verdict: 'accepted', exitCode: 0 });
    expect(run.code).toBe(0);
  });

  it('judges trust as the app would when the environment already sets NODE_EXTRA_CA_CERTS: only AUTH_INSTANCE_CA_FILE reaches the stand-in', async () => {
    const env = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' };
    const ignored = await inspectChild(['--settings', caInFileSettings, '--json', '-'], { env, stdin: appOnly });
    expect(ignored.json()).toMatchObject({ verdict: 'refused' });
    expect(JSON.stringify(ignored.json())).toContain('keys_unavailable');
    const caFile = await folderFor(standinSettings(h, 'orders-api', { AUTH_INSTANCE_CA_FILE: h.standin.caPath }));
    const trusted = await inspectChild(['--settings', caFile, '--json', '-'], { env, stdin: appOnly });
    expect(trusted.json()).toMatchObject({ verdict: 'accepted', exitCode: 0 });
  });
});

describe('bad usage and bad settings: exit 2', () => {
  it('names the bad setting as the app does at startup, without echoing its value', async () => {
    const bad = await folderFor(standinSettings(h, 'orders-api', { AUTH_CLIENT_ID: 'orders-api-client' }));
    const run = await inspectChild(['--settings', bad, '-'], { env: env(), stdin: appOnly });
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toContain('Invalid setting AUTH_CLIENT_ID: must be a GUID');
    expect(run.stderr.toString()).not.toContain('orders-api-client');
    expect(run.stdout.toString()).toBe('');
    expectNoLeak(run, appOnly);
  });

  it.each([
    ['APPLICATIONINSIGHTS_CONNECTION_STRING', 'InstrumentationKey=not-a-guid;IngestionEndpoint=https://x.in.applicationinsights.azure.com/'],
    ['SIGNING_KEY_NAME', ''],
  ])('refuses, as the app refuses to start, a bad %s that has nothing to do with the token', async (setting, value) => {
    const extra: Record<string, string> = setting === 'SIGNING_KEY_NAME' ? { SIGNING_KEY_VAULT_URL: 'https://contoso.vault.azure.net' } : { [setting]: value };
    const bad = await folderFor(standinSettings(h, 'orders-api', extra));
    const run = await inspectChild(['--settings', bad, '-'], { env: env(), stdin: appOnly });
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toContain(`Invalid setting ${setting}`);
  });

  it('lets the environment win over the file, as under func start', async () => {
    const run = await inspectChild(['--settings', settingsFile, '-'], { env: env({ AUTH_TOKEN_VERSIONS: '3.0' }), stdin: appOnly });
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toContain('Invalid setting AUTH_TOKEN_VERSIONS');
  });

  it.each([
    ['no token', []],
    ['two tokens', ['a', 'b']],
    ['an unknown option', ['--verbose', '-']],
    ['a missing settings file', ['--settings', '/nonexistent/local.settings.json', '-']],
  ])('%s', async (_name, args) => {
    const run = await inspectChild(args, { env: env(), stdin: appOnly });
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toContain('Usage:');
    expectNoStackTrace(run);
    expectNoLeak(run, appOnly);
  });

  it.each([
    ['the token given to --settings (a forgotten -)', () => ['--settings', appOnly, '-']],
    ['the token as --settings=<token>', () => [`--settings=${appOnly}`, '-']],
    ['the token written as an option', () => [`--${appOnly}`, '-']],
    ['the token and a second argument', () => [appOnly, 'extra']],
  ])('%s: exit 2, and the byte scan of stdout and stderr finds no byte of the token', async (_name, args) => {
    const run = await inspectChild(args(), { env: env(), stdin: appOnly });
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toMatch(/^inspect: /);
    expectNoLeak(run, appOnly);
    expectNoStackTrace(run);
  });
});

describe('junk on standard input: a refusal row and exit 1, never a stack trace', () => {
  it.each([
    ['not a JWT', () => Buffer.from('this is not a token'), 'header.authorization'],
    ['not a JWT, without spaces', () => Buffer.from('not-a-token'), 'format'],
    ['five segments', () => Buffer.from('eyJhbGciOiJSU0EtT0FFUCJ9.AAAA.AAAA.AAAA.AAAA'), 'format.jwe'],
    ['two segments', () => Buffer.from('eyJhbGciOiJSUzI1NiJ9.e30'), 'format'],
    ['1 MB of base64url', () => Buffer.alloc(1024 * 1024, 'A'), 'size'],
    ['1 MB of dotted base64url', () => Buffer.from(`${'A'.repeat(400_000)}.${'B'.repeat(400_000)}.${'C'.repeat(248_576)}`), 'size'],
    ['binary bytes', () => randomBytes(4096), 'input.binary'],
    ['a NUL in the middle', () => Buffer.from('eyJh\u0000bGciOi.e30.AAAA'), 'input.binary'],
    ['nothing', () => Buffer.alloc(0), 'input.empty'],
    ['more than the input cap', () => Buffer.alloc(5 * 1024 * 1024, 'A'), 'input.size'],
  ])('%s', async (_name, input, check) => {
    const run = await inspectChild(['--settings', settingsFile, '--json', '-'], { env: env(), stdin: input() });
    expect(run.code).toBe(1);
    const result = run.json();
    expect(result.verdict).toBe('refused');
    expect(result.checks.find((row) => row.status === 'fail')).toMatchObject({ check });
    expectNoStackTrace(run);
    const text = await inspectChild(['--settings', settingsFile, '-'], { env: env(), stdin: input() });
    expect(text.code).toBe(1);
    expect(text.text()).toMatch(/^REFUSED: /);
    expect(text.text()).toContain(check);
    expectNoStackTrace(text);
  });
});

describe('--offline makes no network call at all', () => {
  it('the configured authority (a request trap on 127.0.0.1) receives nothing, and the key checks are skipped', async () => {
    const run = await inspectChild(['--settings', trapSettingsFile, '--offline', '--json', '-'], { env: env(), stdin: appOnly });
    expect(trap.requests).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.json().verdict).toBe('passed-offline');
    expectNoLeak(run, appOnly);
  });

  it('and the trap does count requests: online, the same run asks it for the discovery document', async () => {
    const run = await inspectChild(['--settings', trapSettingsFile, '--json', '-'], { env: env(), stdin: appOnly });
    expect(trap.requests.length).toBeGreaterThan(0);
    expect(trap.requests.every((path) => !path.includes(appOnly.split('.')[1] ?? ''))).toBe(true);
    expect(run.code).toBe(1);
    expect(run.json().checks.find((row) => row.status === 'fail')).toMatchObject({ code: 'keys_unavailable' });
    expectNoLeak(run, appOnly);
  });
});
