import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpHandler } from '@azure/functions';
import { startAzuriteTable, type AzuriteTable } from '../../dev/azurite/azuriteTable';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { createRevocationStore } from '../../lib/revocation/createRevocationStore';
import { createRevocationApi } from '../../lib/revocation/revocationApi';
import type { RevocationChangeEvent } from '../../lib/revocation/revocationEvents';
import { startAuthFixture, type AuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { CALLER_APP, OTHER_TENANT, TENANT } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';

/**
 * The admin API in process: the route table's policy (Revocations.Manage, app-only), a
 * multi-tenant API's tenant scoping, the audit events, and a store outage, over a real
 * Azurite table and real tokens.
 */
const ROUTES = appRoutes(loadDeclaredPermissions());
const DAEMON_OID = 'a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d';

let dataDir: string;
let azurite: AzuriteTable;
let auth: AuthFixture;
let events: RevocationChangeEvent[];
let revocations: HttpHandler;
let revocation: HttpHandler;

function build(connectionString: string, ownTenantOnly: boolean): void {
  events = [];
  const store = createRevocationStore(loadOrdersSettings({ ORDERS_STORAGE: connectionString }), 'revocations', { clientOptions: { retryOptions: { maxRetries: 0 } } });
  const api = createRevocationApi({ store, events: { onRuleChanged: (event) => void events.push(event) }, limits: { maxRuleLifetimeSeconds: 101_100 }, ownTenantOnly });
  revocations = auth.routeHandler(ROUTES.revocations, { GET: api.list, POST: api.create });
  revocation = auth.routeHandler(ROUTES.revocation, { GET: api.get, DELETE: api.remove });
}

const admin = (tenant = TENANT) => auth.token({ tenant, roles: ['Revocations.Manage'] });
const post = async (body: unknown, token: string) =>
  invokeHttp(revocations, { method: 'POST', route: 'manage/revocations', path: 'manage/revocations', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
const list = async (token: string) => invokeHttp(revocations, { route: 'manage/revocations', path: 'manage/revocations', headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'revocation-api-'));
  azurite = await startAzuriteTable({ location: dataDir });
  auth = await startAuthFixture({ env: { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` } });
});
afterAll(async () => {
  await auth.stop();
  await azurite.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('who may manage rules', () => {
  beforeAll(() => {
    build(azurite.connectionString, true);
  });

  it.each([
    ['a user with a scope of that name', { kind: 'delegated' as const, scp: 'Revocations.Manage' }, 'caller.delegated_not_allowed'],
    ['a user holding an app role of that name', { kind: 'delegated' as const, scp: 'Orders.Read', roles: ['Revocations.Manage'] }, 'caller.delegated_not_allowed'],
    ['an app with the orders roles only', { kind: 'app' as const, roles: ['Orders.ReadWrite'] }, 'claims.roles'],
  ])('refuses %s with 403: the role is app-only', async (_name, token, check) => {
    const answer = await list(await auth.token(token));
    expect(answer.status).toBe(403);
    expect(auth.observer.failures.at(-1)).toMatchObject({ check });
  });

  it('records the verified caller as the author and reports the change, without a token', async () => {
    const token = await admin();
    const created = await post({ kind: 'clientApp', tenantId: TENANT, clientAppId: CALLER_APP, issuedBefore: 'now', reason: 'leaked secret' }, token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ createdBy: { tenantId: TENANT, objectId: DAEMON_OID, clientAppId: CALLER_APP, via: 'api' } });
    expect(events).toEqual([expect.objectContaining({ action: 'created', kind: 'clientApp', byTenantId: TENANT, byObjectId: DAEMON_OID, byClientAppId: CALLER_APP, via: 'api' })]);
    expect(JSON.stringify(events)).not.toContain(token.split('.')[2]);
    const { id } = created.body as { id: string };
    const removed = await invokeHttp(revocation, { method: 'DELETE', route: 'manage/revocations/{id}', path: `manage/revocations/${id}`, params: { id }, headers: { authorization: `Bearer ${token}` } });
    expect(removed.status).toBe(204);
    expect(events.map((event) => event.action)).toEqual(['created', 'deleted']);
  });

  it('lets a caller of a multi-tenant API name, see and delete only rules of its own tenant', async () => {
    const ours = await admin(TENANT);
    const theirs = await admin(OTHER_TENANT);
    const forbidden = await post({ kind: 'tenant', tenantId: TENANT, issuedBefore: 'now', reason: 'cut off a competitor' }, theirs);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'revocation_forbidden', field: 'tenantId' });
    const created = await post({ kind: 'subject', tenantId: TENANT, objectId: DAEMON_OID, reason: 'compromised daemon' }, ours);
    const { id } = created.body as { id: string };
    expect(((await list(theirs)).body as { value: { id: string }[] }).value.map((rule) => rule.id)).not.toContain(id);
    expect(((await list(ours)).body as { value: { id: string }[] }).value.map((rule) => rule.id)).toContain(id);
    const read = (token: string) => invokeHttp(revocation, { route: 'manage/revocations/{id}', path: `manage/revocations/${id}`, params: { id }, headers: { authorization: `Bearer ${token}` } });
    expect((await read(theirs)).status).toBe(404);
    expect((await read(ours)).status).toBe(200);
  });

  it('refuses a rule ID that is not a GUID with 400 naming the field', async () => {
    const answer = await invokeHttp(revocation, { route: 'manage/revocations/{id}', path: 'manage/revocations/x', params: { id: '../orders' }, headers: { authorization: `Bearer ${await admin()}` } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'invalid_parameter', field: 'id' });
  });
});

describe('when the store cannot be written', () => {
  it('answers 503 revocation_store_unavailable with Retry-After, and reports no change', async () => {
    build(azurite.connectionString.replace(`:${azurite.port}/`, ':9/'), true);
    const answer = await post({ kind: 'token', uti: 'abcdefghijklmnopqrstuv', reason: 'outage test' }, await admin());
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(answer.body).toMatchObject({ code: 'revocation_store_unavailable' });
    expect(events).toEqual([]);
  });
});
