import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REVOKE_USAGE, runRevoke, UsageError } from '../../dev/revoke/revokeCommand';

/**
 * `npm run revoke`'s input checks, which run before the store is touched (the table client
 * is made on first use, so a store nobody listens on is never called here). Writing to a
 * real table is in revocationAcrossInstances.test.ts.
 */
const ENV = { ORDERS_STORAGE: 'UseDevelopmentStorage=true' };
const TENANT = 'de700000-0000-4000-8000-000000000001';
const APP = 'de700000-0000-4000-8000-0000000c0002';

async function refusal(args: string[], env: Record<string, string> = ENV): Promise<string> {
  try {
    await runRevoke(args, env, () => undefined);
  } catch (error) {
    return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  }
  throw new Error('accepted');
}

it('prints its usage for --help, and asks for a command without one', async () => {
  const lines: string[] = [];
  expect(await runRevoke(['--help'], ENV, (line) => lines.push(line))).toBe(0);
  expect(await runRevoke([], ENV, (line) => lines.push(line))).toBe(2);
  expect(lines).toEqual([REVOKE_USAGE, REVOKE_USAGE]);
});

it.each([
  [['revoke'], 'UsageError: unknown command revoke'],
  [['add', '--kind', 'clientApp', '--tenant', 'contoso', '--client-app', APP, '--reason', 'x'], 'UsageError: --tenant: must be a GUID (the tenant ID)'],
  [['add', '--kind', 'clientApp', '--tenant', TENANT, '--client-app', APP, '--uti', 'abc', '--reason', 'x'], 'UsageError: --uti: does not apply to --kind clientApp'],
  [['add', '--kind', 'clientApp', '--tenant', TENANT, '--client-app', APP], 'UsageError: --reason: is required: why the rule is set (1-200 characters)'],
  [['add', '--kind', 'tenant', '--tenant', TENANT, '--reason', 'x'], 'UsageError: --issued-before: is required for a tenant rule: "now" or an ISO 8601 date-time'],
  [['add', '--kind', 'user', '--reason', 'x'], 'UsageError: --kind: kind must be one of clientApp, subject, token, tenant'],
  [['add', '--kind', 'token', '--uti', 'abc', '--reason', 'x', '--expires-at', '2999-01-01T00:00:00Z'], 'UsageError: --expires-at: must be at most 101100 seconds away (the longest token lifetime plus clock skew); no token outlives that.'],
  [['add', '--kind', 'clientApp', '--tenant', TENANT, '--client-app', APP, '--reason', 'x', '--issued-before', '2999-01-01T00:00:00Z'], 'UsageError: --issued-before: must not be in the future; use "now" to cut off every token issued so far.'],
  [['delete', '--id', '42'], 'UsageError: --id must be a rule ID (a GUID) from `npm run revoke -- list`'],
  [['add', '--kind', 'token', '--colour', 'red'], "Unknown option '--colour'"],
])('refuses %j, naming the option', async (args, message) => {
  expect(await refusal(args)).toContain(message);
});

it('refuses a store it cannot name, and a misspelt REVOCATION_* setting, before any call', async () => {
  expect(await refusal(['list'], {})).toMatch(/^SettingsError: Invalid setting ORDERS_STORAGE/);
  expect(await refusal(['list'], { ...ENV, REVOCATION_TABEL_NAME: 'x' })).toMatch(/^SettingsError: Invalid setting REVOCATION_TABEL_NAME/);
  expect(UsageError.prototype).toBeInstanceOf(Error);
});

it('runs as `npm run revoke` runs it (through the dev tool launcher), printing its usage', () => {
  // The launcher requires the built entry: an entry that waits for require.main === module would do nothing.
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'dev', 'launch', 'devTool.cjs'), 'revoke/main', '--help'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  expect(out.trim()).toBe(REVOKE_USAGE);
});
