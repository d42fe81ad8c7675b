import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../../dev/azurite/azuriteTable';
import { commandLinePath, hostWorkerPath, waitForJsonLine, type StandinRecord } from 'azure-functions-entra-dev/toolkit';
import { createCaTrustingFetch, type CaTrustingFetch } from '../../packages/azure-functions-entra-dev/src/tls/caTrustingFetch';
import { NodeProcesses, runNode, type NodeRun } from '../support/nodeProcesses';

/**
 * The deny list across a scale-out: two instances of the app (dev host processes from the
 * build) on one store (one Azurite process), tokens from the Entra stand-in. A rule written
 * through one instance, through the admin API or `npm run revoke`, refuses the token on the
 * other within 10 s; a store outage keeps the last rules for the staleness bound, then
 * answers 503 with Retry-After, then heals. Needs the builds.
 */
const root = path.join(__dirname, '../..');
const ENFORCED_WITHIN_MS = 10_000;

interface Registration {
  name: string;
  clientId: string;
  servicePrincipalId: string;
  secret: string;
  roles: Record<string, string[]>;
}
interface RegistryFile {
  tenant: { id: string };
  apis: { name: string; clientId: string; appIdUri: string; appRoles: { id: string; value: string; description: string }[] }[];
  clients: Registration[];
}

const registry = JSON.parse(readFileSync(path.join(root, 'local.entra.json'), 'utf8')) as RegistryFile;
const API = registry.apis.find((api) => api.name === 'orders-api') ?? fail('no orders-api');
const client = (name: string) => registry.clients.find((entry) => entry.name === name) ?? fail(`no client ${name}`);
/** The daemon whose secret leaks, and a bystander with the same role. */
const DAEMON = client('writer');
const READER = client('reader');
/** An operator's daemon holding Revocations.Manage (local.entra.json's revoker). */
const REVOKER: Registration = client('revoker');

function fail(message: string): never {
  throw new Error(message);
}

const processes = new NodeProcesses();
let stateDir: string;
let azurite: AzuriteTable;
let standin: StandinRecord;
let caFetch: CaTrustingFetch;
let a: string;
let b: string;

const appEnv = () => ({
  AUTH_TENANT_ID: standin.tenantId,
  AUTH_CLIENT_ID: API.clientId,
  AUTH_APP_ID_URI: API.appIdUri,
  AUTH_INSTANCE: standin.url,
  NODE_EXTRA_CA_CERTS: standin.caPath,
  ORDERS_STORAGE: azurite.connectionString,
  REVOCATION_REFRESH_SECONDS: '2',
  REVOCATION_MAX_STALENESS_SECONDS: '10',
});

async function startInstance(): Promise<string> {
  const child = processes.start(hostWorkerPath(), [root], { PORT: '0', ...appEnv() });
  return (await waitForJsonLine<{ devHost: string }>(child, 'devHost')).devHost;
}

/** The operator's CLI, as `npm run revoke` runs it, against the same store. */
function revokeCli(args: string[]): Promise<NodeRun> {
  return runNode('dist-dev/dev/revoke/main.js', args, { env: { PATH: process.env.PATH ?? '', ORDERS_STORAGE: azurite.connectionString } });
}

async function tokenFor(registration: Registration): Promise<string> {
  const answer = await caFetch(`${standin.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: registration.clientId, client_secret: registration.secret, scope: `${API.appIdUri}/.default` }),
  });
  const body = (await answer.json()) as { access_token?: string };
  return body.access_token ?? fail(`no token for ${registration.name}: ${JSON.stringify(body)}`);
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iat: number; uti: string; oid: string };

/** A token issued after `cutoff` (ms): the stand-in back-dates iat five minutes, as Entra does, to whole seconds. */
async function tokenIssuedAfter(registration: Registration, cutoff: number): Promise<string> {
  return eventually(() => tokenFor(registration), (token) => (claimsOf(token).iat + 300) * 1000 >= cutoff, 5_000);
}

// /api/me by default: it never touches the orders store, so a store outage shows only through the deny list.
async function call(host: string, token: string, method = 'GET', route = 'me', body?: unknown) {
  const response = await fetch(`${host}/api/${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined };
}

const status = async (host: string, token: string) => (await call(host, token)).status;

/** Polls until `done` holds or the deadline passes (then fails with the last value): awaiting the state, never a fixed sleep. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${withinMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  for (const built of [commandLinePath(), hostWorkerPath(), 'dist-dev/dev/revoke/main.js', 'dist/functions/revocations.js']) {
    if (!existsSync(path.resolve(root, built))) throw new Error(`build first (npm run build && npm run build:dev): ${built} is missing`);
  }
  stateDir = mkdtempSync(path.join(tmpdir(), 'revocation-scale-out-'));
  const registryPath = path.join(stateDir, 'registry.json');
  writeFileSync(registryPath, JSON.stringify(registry));
  const standinProcess = processes.start(commandLinePath(), ['standin', '--port', '0', '--state-dir', stateDir, '--registry', registryPath, '--quiet'], {});
  [azurite, standin] = await Promise.all([
    startAzuriteTable({ location: path.join(stateDir, 'azurite') }),
    waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority'),
  ]);
  caFetch = createCaTrustingFetch(readFileSync(standin.caPath, 'utf8'));
  [a, b] = await Promise.all([startInstance(), startInstance()]);
}, 90_000);

afterAll(async () => {
  processes.stopAll();
  await azurite.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the leaked client secret, end to end', () => {
  it("a daemon's token works; the operator revokes its client app issued-before now with npm run revoke; the old token gets 401 on both instances within 10 s; a fresh token passes", async () => {
    const leaked = await tokenFor(DAEMON);
    const bystander = await tokenFor(READER);
    expect([await status(a, leaked), await status(b, leaked)]).toEqual([200, 200]);

    const revoked = await revokeCli(['add', '--kind', 'clientApp', '--tenant', standin.tenantId, '--client-app', DAEMON.clientId, '--issued-before', 'now', '--reason', 'client secret leaked; rotated in Entra', '--by', 'test operator']);
    expect(revoked.code).toBe(0);
    const rule = JSON.parse(revoked.stdout) as { id: string; issuedBefore: string; createdBy: Record<string, string> };
    expect(rule.createdBy).toEqual({ tenantId: standin.tenantId, via: 'cli', operator: 'test operator' });
    const writtenAt = Date.now();

    const refused = await eventually(() => call(b, leaked), (answer) => answer.status === 401, ENFORCED_WITHIN_MS);
    expect(Date.now() - writtenAt).toBeLessThan(ENFORCED_WITHIN_MS);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token", error_description="The access token has been revoked; request a new one."');
    expect(refused.body).toMatchObject({ code: 'token_revoked' });
    await eventually(() => status(a, leaked), (code) => code === 401, ENFORCED_WITHIN_MS - (Date.now() - writtenAt));

    const fresh = await tokenIssuedAfter(DAEMON, Date.parse(rule.issuedBefore));
    expect([await status(a, fresh), await status(b, fresh)]).toEqual([200, 200]);
    expect([await status(a, bystander), await status(b, bystander)]).toEqual([200, 200]);

    expect(await revokeCli(['delete', '--id', rule.id])).toMatchObject({ code: 0, stdout: `deleted ${rule.id}\n` });
    await eventually(() => status(b, leaked), (code) => code === 200, ENFORCED_WITHIN_MS);
  }, 40_000);
});

describe('the admin API on one instance, enforced on the other', () => {
  it('revokes one token by its uti; the caller is recorded as its author; deleting the rule lets the token through again', async () => {
    const admin = await tokenFor(REVOKER);
    const victim = await tokenFor(READER);
    const other = await tokenFor(READER);
    const created = await call(a, admin, 'POST', 'manage/revocations', { kind: 'token', uti: claimsOf(victim).uti, reason: 'token pasted in a public issue' });
    expect(created.status).toBe(201);
    const id = String(created.body?.id);
    expect(created.headers.get('location')).toBe(`/api/manage/revocations/${id}`);
    expect(created.body?.createdBy).toEqual({ tenantId: standin.tenantId, objectId: REVOKER.servicePrincipalId, clientAppId: REVOKER.clientId, via: 'api' });
    const writtenAt = Date.now();

    await eventually(() => status(b, victim), (code) => code === 401, ENFORCED_WITHIN_MS);
    expect(Date.now() - writtenAt).toBeLessThan(ENFORCED_WITHIN_MS);
    expect(await status(b, other)).toBe(200);

    expect((await call(b, admin, 'GET', `manage/revocations/${id}`)).body).toMatchObject({ id, kind: 'token', reason: 'token pasted in a public issue' });
    expect(((await call(b, admin, 'GET', 'manage/revocations')).body?.value as { id: string }[]).map((rule) => rule.id)).toContain(id);
    expect((await call(b, admin, 'DELETE', `manage/revocations/${id}`)).status).toBe(204);
    expect((await call(a, admin, 'DELETE', `manage/revocations/${id}`)).status).toBe(404);
    await eventually(() => status(a, victim), (code) => code === 200, ENFORCED_WITHIN_MS);
  }, 30_000);

  it('stops applying a rule once it has expired', async () => {
    const admin = await tokenFor(REVOKER);
    const reader = await tokenFor(READER);
    const expiresAt = new Date(Date.now() + 4_000).toISOString();
    const created = await call(a, admin, 'POST', 'manage/revocations', { kind: 'subject', tenantId: standin.tenantId, objectId: claimsOf(reader).oid, expiresAt, reason: 'short test rule' });
    expect(created.status).toBe(201);
    await eventually(() => status(b, reader), (code) => code === 401, ENFORCED_WITHIN_MS);
    await eventually(() => status(b, reader), (code) => code === 200, ENFORCED_WITHIN_MS);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
  }, 30_000);

  it.each([
    [{ kind: 'clientApp', tenantId: 'not-a-guid', clientAppId: DAEMON.clientId, reason: 'x' }, 'tenantId'],
    [{ kind: 'clientApp', tenantId: registry.tenant.id, clientAppId: DAEMON.clientId, issuedBefore: new Date(Date.now() + 3_600_000).toISOString(), reason: 'x' }, 'issuedBefore'],
    [{ kind: 'token', uti: 'abc', reason: '' }, 'reason'],
    [{ kind: 'token', uti: 'abc', reason: 'x'.repeat(201) }, 'reason'],
    [{ kind: 'token', uti: 'abc', reason: 'x', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }, 'expiresAt'],
    [{ kind: 'tenant', tenantId: registry.tenant.id, reason: 'no cut-off' }, 'issuedBefore'],
    [{ kind: 'token', uti: 'abc', reason: 'x', createdBy: 'someone else' }, undefined],
  ])('refuses %j with 400 naming the field', async (body, field) => {
    const answer = await call(a, await tokenFor(REVOKER), 'POST', 'manage/revocations', body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'invalid_body', ...(field && { field }) });
  });

  it('refuses callers without Revocations.Manage with 403', async () => {
    const answer = await call(a, await tokenFor(DAEMON), 'POST', 'manage/revocations', { kind: 'token', uti: 'abc', reason: 'x' });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'insufficient_scope' });
  });
});

describe('when the store goes down', () => {
  it('keeps the last rules for the staleness bound, then answers 503 with Retry-After, then heals; /api/health reports the rules age', async () => {
    const revokedToken = await tokenFor(READER);
    const revoked = await revokeCli(['add', '--kind', 'token', '--uti', claimsOf(revokedToken).uti, '--reason', 'outage test']);
    expect(revoked.code).toBe(0);
    const passing = await tokenFor(DAEMON);
    await eventually(() => status(b, revokedToken), (code) => code === 401, ENFORCED_WITHIN_MS);

    await azurite.stop();
    const stoppedAt = Date.now();
    // Within the bound: the last rules still refuse the revoked token and let the others through.
    // Requests drive the refreshes (health never calls the store).
    const health = await eventually(
      async () => {
        await status(b, passing);
        return (await (await fetch(`${b}/api/health`)).json()) as { revocationRules: { state: string; ageSeconds: number } };
      },
      (body) => body.revocationRules.state === 'stale',
      8_000,
    );
    expect(health.revocationRules.ageSeconds).toBeLessThan(10);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(await status(b, revokedToken)).toBe(401);
    expect(await status(b, passing)).toBe(200);

    // Past the bound (REVOCATION_MAX_STALENESS_SECONDS=10): fail closed.
    const closed = await eventually(() => call(b, passing), (answer) => answer.status === 503, 20_000);
    expect(closed.headers.get('retry-after')).toBe('2');
    expect(closed.body).toMatchObject({ code: 'revocation_unavailable' });
    expect(((await (await fetch(`${b}/api/health`)).json()) as { revocationRules: { state: string } }).revocationRules.state).toBe('unavailable');

    azurite = await startAzuriteTable({ location: path.join(stateDir, 'azurite'), port: azurite.port });
    await eventually(() => status(b, passing), (code) => code === 200, 15_000);
    expect(await status(b, revokedToken)).toBe(401);
    expect(((await (await fetch(`${b}/api/health`)).json()) as { revocationRules: { state: string } }).revocationRules.state).toBe('current');
  }, 90_000);
});
