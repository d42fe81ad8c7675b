import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { azuriteConnectionString, freeLoopbackPort } from '../../dev/azurite/azuriteTable';
import { applyLocalOrdersDefault, startLocalOrdersStore } from '../../dev/start/ordersStorage';

// What `npm start` does about the orders store, decided from the settings it would run the app with.
let stateDir: string;
beforeEach(() => {
  stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'orders-start-')), '.dev-state');
});
afterEach(() => {
  rmSync(path.dirname(stateDir), { recursive: true, force: true });
});

it('starts Azurite on the loopback port the connection string names, with data under .dev-state/azurite, and reuses it once running', async () => {
  const port = await freeLoopbackPort();
  const env: NodeJS.ProcessEnv = { ORDERS_STORAGE: azuriteConnectionString(port) };
  const started = await startLocalOrdersStore(env, stateDir);
  try {
    expect(started.azurite?.port).toBe(port);
    expect(started.message).toContain(`Azurite table service (dev only) at http://127.0.0.1:${port}`);
    expect(existsSync(path.join(stateDir, 'azurite'))).toBe(true);
    const again = await startLocalOrdersStore(env, stateDir);
    expect(again.azurite).toBeUndefined();
    expect(again.message).toContain('already listening');
  } finally {
    await started.azurite?.stop();
  }
}, 60_000);

it('gives the app Azurite\'s usual setting when neither form is set, and keeps either form when one is', () => {
  const unset: NodeJS.ProcessEnv = { ORDERS_STORAGE__tableServiceUri: '' };
  applyLocalOrdersDefault(unset);
  expect(unset.ORDERS_STORAGE).toBe('UseDevelopmentStorage=true');
  const identity: NodeJS.ProcessEnv = { ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' };
  applyLocalOrdersDefault(identity);
  expect(identity.ORDERS_STORAGE).toBeUndefined();
});

it.each([
  ['a remote account', { ORDERS_STORAGE: 'DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5;EndpointSuffix=core.windows.net' }, 'of the storage account ORDERS_STORAGE names'],
  ['the identity form', { ORDERS_STORAGE__tableServiceUri: 'https://contoso.table.core.windows.net' }, 'at https://contoso.table.core.windows.net (ORDERS_STORAGE__tableServiceUri)'],
])('leaves %s alone and starts nothing', async (_name, env, message) => {
  const decided = await startLocalOrdersStore({ ...env }, stateDir);
  expect(decided.azurite).toBeUndefined();
  expect(decided.message).toContain(message);
  expect(existsSync(path.join(stateDir, 'azurite'))).toBe(false);
});

it('refuses a bad setting the way the app would, naming it', async () => {
  await expect(startLocalOrdersStore({ ORDERS_STORAGE: 'nonsense' }, stateDir)).rejects.toMatchObject({ setting: 'ORDERS_STORAGE' });
});
