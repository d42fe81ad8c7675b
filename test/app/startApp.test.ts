import { startApp, type AppLifecycleHooks } from '../../lib/app/startApp';
import { API_CLIENT_ID, APP_ID_URI, TENANT, createTestKey, mintAccessToken, type TestKey } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { FakeEntraMetadataServer } from '../../packages/azure-functions-entra-auth/test/support/fakeEntraMetadataServer';

/** The hooks the app registers, captured as the Functions worker would hold them. */
function capturingHooks() {
  const start: (() => Promise<void>)[] = [];
  const terminate: (() => Promise<void>)[] = [];
  const hooks: AppLifecycleHooks = {
    appStart: (hook) => start.push(hook),
    appTerminate: (hook) => terminate.push(hook),
  };
  return { hooks, start, terminate };
}

const CONNECTION_STRING = 'InstrumentationKey=3f2504e0-4f89-41d3-9a0c-0305e82c3301;IngestionEndpoint=https://127.0.0.1:9/';
const announce = () => undefined;

let entra: FakeEntraMetadataServer;
let key: TestKey;
// The orders store is made lazily: a connection string it never uses is enough to start.
const settings = () => ({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID, AUTH_APP_ID_URI: APP_ID_URI, AUTH_INSTANCE: entra.url, ORDERS_STORAGE: 'UseDevelopmentStorage=true' });

beforeEach(async () => {
  entra = await new FakeEntraMetadataServer().start();
  key = createTestKey();
  entra.setKeys([key.publicJwk]);
});
afterEach(() => entra.stop());

it('registers one appStart hook, and the telemetry flush as the only appTerminate hook', () => {
  const without = capturingHooks();
  startApp(settings(), without.hooks, { dependencies: { signing: { announce } } });
  expect([without.start.length, without.terminate.length]).toEqual([1, 0]);

  const withTelemetry = capturingHooks();
  startApp({ ...settings(), APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING }, withTelemetry.hooks, {
    dependencies: { signing: { announce } },
    onTelemetryDiagnostic: () => undefined,
  });
  expect([withTelemetry.start.length, withTelemetry.terminate.length]).toEqual([1, 1]);
});

it('fetches discovery and keys for every accepted version at app start, before any request', async () => {
  const { hooks, start } = capturingHooks();
  const runtime = startApp(settings(), hooks, { dependencies: { signing: { announce } } });
  expect(entra.requests).toEqual([]); // nothing at load: the worker's appStart begins it
  await start[0]?.();
  // The deny list's first read (no Azurite here) ends inside the test, not after it.
  await runtime.revocations?.list.warmUp();
  await runtime.auth.verifier.warmUp(); // joins the loads the hook started
  expect(runtime.auth.verifier.keysLoaded()).toBe(true);
  expect([entra.count('v2.0/.well-known/openid-configuration'), entra.count('v2.0/keys'), entra.count(`${TENANT}/discovery/keys`)]).toEqual([1, 1, 1]);
});

it('does not wait for a slow key endpoint: the start completes while the fetch is still pending', async () => {
  entra.discoveryFault = 'slow';
  entra.slowMs = 60_000;
  const { hooks, start } = capturingHooks();
  const runtime = startApp(settings(), hooks, { dependencies: { signing: { announce } } });
  await expect(start[0]?.()).resolves.toBeUndefined();
  // The deny list's first read (no Azurite here) ends inside the test, not after it.
  await runtime.revocations?.list.warmUp();
  expect(runtime.auth.verifier.keysLoaded()).toBe(false);
});

it('neither fails nor delays the start when the key endpoint is down, and the failure stays the requests\' to meet', async () => {
  entra.discoveryFault = 'refused';
  const { hooks, start } = capturingHooks();
  const runtime = startApp(settings(), hooks, { dependencies: { signing: { announce } } });
  await expect(start[0]?.()).resolves.toBeUndefined();
  // The deny list's first read (no Azurite here) ends inside the test, not after it.
  await runtime.revocations?.list.warmUp();
  await expect(runtime.auth.verifier.warmUp()).resolves.toBeUndefined();
  expect(runtime.auth.verifier.keysLoaded()).toBe(false);
  // As without the warm-up: a request meets the outage as 503 keys_unavailable with a Retry-After.
  const token = await mintAccessToken(key, { instance: entra.url, roles: ['Orders.Read'] });
  await expect(runtime.auth.verifier.verify(token)).rejects.toMatchObject({ code: 'keys_unavailable', retryAfterSeconds: expect.any(Number) as unknown });
});
