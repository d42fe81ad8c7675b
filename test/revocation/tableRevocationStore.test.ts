import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { createRevocationList } from 'azure-functions-entra-auth/revocation';
import { startAzuriteTable, type AzuriteTable } from '../../dev/azurite/azuriteTable';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { createRevocationStore } from '../../lib/revocation/createRevocationStore';
import type { StoredRevocation } from '../../lib/revocation/revocationRequest';
import { RevocationStoreError, TableRevocationStore, type RevocationsTable } from '../../lib/revocation/tableRevocationStore';

/** The deny rules' table on a real Azurite: what a refresh costs, what a write does, what a bad entity does. */
const TENANT = 'de700000-0000-4000-8000-000000000001';
const HOUR = 3_600_000;

let dataDir: string;
let azurite: AzuriteTable;
let tableName: string;
let count = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'revocations-azurite-'));
  azurite = await startAzuriteTable({ location: dataDir });
});
afterAll(async () => {
  await azurite.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  tableName = `revocations${++count}`;
});

function client(): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, tableName, { allowInsecureConnection: true });
}

/** A store over a client that counts the calls a refresh makes. */
function countingStore(): { store: TableRevocationStore; calls: string[] } {
  const calls: string[] = [];
  const inner = client();
  const table: RevocationsTable = {
    createTable: (...args) => inner.createTable(...args),
    createEntity: (...args) => inner.createEntity(...args),
    updateEntity: (...args) => inner.updateEntity(...args),
    deleteEntity: (...args) => inner.deleteEntity(...args),
    getEntity: (...args) => {
      calls.push('getEntity');
      return inner.getEntity(...args);
    },
    listEntities: (...args) => {
      calls.push('listEntities');
      return inner.listEntities(...args);
    },
  };
  return { store: new TableRevocationStore(() => table, { createTableIfMissing: true }), calls };
}

const rule = (id: string, overrides: Partial<StoredRevocation> = {}): StoredRevocation =>
  ({
    id,
    kind: 'clientApp',
    tenantId: TENANT,
    clientAppId: 'de700000-0000-4000-8000-0000000c0002',
    issuedBefore: Date.now(),
    expiresAt: Date.now() + HOUR,
    reason: 'leaked secret',
    createdAt: Date.now(),
    createdBy: { tenantId: TENANT, objectId: 'de700000-0000-4000-8000-0000000d00f1', clientAppId: 'de700000-0000-4000-8000-0000000c00f1', via: 'api' },
    ...overrides,
  }) as StoredRevocation;

it('reads an empty table as no rules, creating it outside Azure, and refreshes with one point read while nothing changed', async () => {
  const { store, calls } = countingStore();
  const first = await store.read(undefined);
  expect(first).toEqual({ changed: true, version: 'none', rules: [] });
  calls.length = 0;
  expect(await store.read('none')).toEqual({ changed: false });
  expect(calls).toEqual(['getEntity']);
});

it('returns a written rule as it was written, under a new version; an unchanged version costs one point read', async () => {
  const { store, calls } = countingStore();
  const written = rule('2f1d3c4b-0000-4000-8000-000000000001');
  await store.add(written);
  const read = await store.read('none');
  expect(read).toMatchObject({ changed: true, rules: [written] });
  const version = read.changed ? read.version : '';
  calls.length = 0;
  expect(await store.read(version)).toEqual({ changed: false });
  expect(calls).toEqual(['getEntity']);
  expect(await store.get(written.id)).toEqual(written);
});

it('counts the version up under ETag concurrency: concurrent writers through two instances lose no rule and no bump', async () => {
  const a = createRevocationStore(loadOrdersSettings({ ORDERS_STORAGE: azurite.connectionString }), tableName);
  const b = createRevocationStore(loadOrdersSettings({ ORDERS_STORAGE: azurite.connectionString }), tableName);
  await a.read(undefined); // the table exists before the race
  const ids = Array.from({ length: 6 }, (_, i) => `2f1d3c4b-0000-4000-8000-00000000001${i}`);
  await Promise.all(ids.map((id, i) => (i % 2 ? a : b).add(rule(id))));
  expect((await a.list()).map((r) => r.id).sort()).toEqual(ids);
  expect((await client().getEntity<{ revision: number }>('version', 'current')).revision).toBe(ids.length);
});

it('leaves expired rules out and deletes a rule (bumping the version), saying whether there was one', async () => {
  const { store } = countingStore();
  await store.add(rule('2f1d3c4b-0000-4000-8000-000000000021', { expiresAt: Date.now() - 1 }));
  await store.add(rule('2f1d3c4b-0000-4000-8000-000000000022'));
  expect((await store.list()).map((r) => r.id)).toEqual(['2f1d3c4b-0000-4000-8000-000000000022']);
  const before = await store.read(undefined);
  expect(await store.remove('2f1d3c4b-0000-4000-8000-000000000022')).toBe(true);
  expect(await store.remove('2f1d3c4b-0000-4000-8000-000000000022')).toBe(false);
  const after = await store.read(before.changed ? before.version : undefined);
  expect(after).toMatchObject({ changed: true, rules: [] });
});

it('deletes expired rules at the next write, keeping live ones, the version and a malformed rule for the deny list to refuse', async () => {
  const { store } = countingStore();
  expect(await store.add(rule('2f1d3c4b-0000-4000-8000-000000000041', { expiresAt: Date.now() - HOUR }))).toEqual({ expiredDeleted: 1 });
  expect(await store.add(rule('2f1d3c4b-0000-4000-8000-000000000042'))).toEqual({ expiredDeleted: 0 });
  await client().upsertEntity({ partitionKey: 'rule', rowKey: 'edited-by-hand', kind: 'clientApp', tenantId: TENANT, expiresAtMs: 'tomorrow' });
  expect(await store.add(rule('2f1d3c4b-0000-4000-8000-000000000043', { expiresAt: Date.now() - 1 }))).toEqual({ expiredDeleted: 1 });
  const left: string[] = [];
  for await (const entity of client().listEntities({ queryOptions: { filter: "PartitionKey eq 'rule'" } })) left.push(String(entity.rowKey));
  expect(left.sort()).toEqual(['2f1d3c4b-0000-4000-8000-000000000042', 'edited-by-hand']);
  expect((await client().getEntity<{ revision: number }>('version', 'current')).revision).toBe(3);
});

it('reports a failed clean-up in the outcome, never as a failed write', async () => {
  const inner = client();
  const table: RevocationsTable = {
    createTable: (...args) => inner.createTable(...args),
    createEntity: (...args) => inner.createEntity(...args),
    updateEntity: (...args) => inner.updateEntity(...args),
    getEntity: (...args) => inner.getEntity(...args),
    listEntities: (...args) => inner.listEntities(...args),
    deleteEntity: () => Promise.reject(Object.assign(new Error('the store went away'), { statusCode: 503 })),
  };
  const store = new TableRevocationStore(() => table, { createTableIfMissing: true });
  await store.add(rule('2f1d3c4b-0000-4000-8000-000000000051', { expiresAt: Date.now() - 1 }));
  const outcome = await store.add(rule('2f1d3c4b-0000-4000-8000-000000000052'));
  expect(outcome).toEqual({ expiredDeleted: 0, cleanupFailed: expect.stringContaining('revocation store: deleting expired rules failed') as unknown });
  expect((await store.get('2f1d3c4b-0000-4000-8000-000000000052'))?.id).toBe('2f1d3c4b-0000-4000-8000-000000000052');
});

it('hands a hand-edited, malformed rule to the deny list, which refuses the whole set and keeps the rules it had', async () => {
  const { store } = countingStore();
  await store.add(rule('2f1d3c4b-0000-4000-8000-000000000031'));
  let now = Date.now();
  const failures: unknown[] = [];
  const list = createRevocationList({ source: store, refreshIntervalSeconds: 1, maxStalenessSeconds: 60, now: () => now, events: { onRefreshFailed: ({ error }) => void failures.push(error) } });
  const covered = { tenantId: TENANT, clientAppId: 'de700000-0000-4000-8000-0000000c0002', objectId: undefined, uti: undefined, issuedAt: now - 600_000 };
  expect(await list.check(covered)).toEqual({ kind: 'revoked' });
  await client().upsertEntity({ partitionKey: 'rule', rowKey: 'edited-by-hand', kind: 'clientApp', tenantId: TENANT, expiresAtMs: 'tomorrow' });
  await store.add(rule('2f1d3c4b-0000-4000-8000-000000000032')); // bumps the version
  now += 1_000;
  expect(await list.check(covered)).toEqual({ kind: 'revoked' });
  expect(failures).toEqual([expect.objectContaining({ message: expect.stringContaining('expiresAt must be a finite time') as unknown })]);
});

it('rejects with a RevocationStoreError naming the operation when the store is down', async () => {
  const store = new TableRevocationStore(() => TableClient.fromConnectionString(azurite.connectionString.replace(`:${azurite.port}/`, ':9/'), tableName, { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } }), { createTableIfMissing: false });
  await expect(store.read(undefined)).rejects.toThrow(RevocationStoreError);
  await expect(store.read(undefined)).rejects.toThrow(/revocation store: reading the version row failed/);
});
