import { InvocationContext } from '@azure/functions';
import { loadTelemetrySettings } from 'azure-functions-entra-auth/app-insights';
import { defineAuthPolicy, anyOf } from 'azure-functions-entra-auth';
import { invocationLogObserver } from 'azure-functions-entra-auth';
import { createGuard, methodsOf } from '../../packages/azure-functions-entra-auth/src/functions/withAuth';
import { createAuthTelemetry } from 'azure-functions-entra-auth/app-insights';
import { startAuthTelemetry } from '../../lib/telemetry/startAuthTelemetry';
import { REALM } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { startHarness, type Harness } from '../../packages/azure-functions-entra-auth/test/support/verifierHarness';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import { DiagnosticLog, RecordingSink } from '../../packages/azure-functions-entra-auth/test/support/recordingSink';

const CONNECTION_STRING = 'InstrumentationKey=3f2504e0-4f89-41d3-9a0c-0305e82c3301;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
const policy = defineAuthPolicy({ GET: { appRoles: anyOf('Orders.Read'), scopes: anyOf('Orders.Read') } });

const PROCESS_EVENTS = ['SIGTERM', 'SIGINT', 'beforeExit', 'exit'] as const;
const processListeners = () => PROCESS_EVENTS.map((event) => process.listenerCount(event));

describe('without a connection string', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.stop());

  it('logs each refused request through the invocation context, and loads no SDK', async () => {
    let loads = 0;
    const telemetry = createAuthTelemetry(loadTelemetrySettings({}), {
      loadSink: () => {
        loads++;
        return new RecordingSink();
      },
    });
    expect(telemetry.observer).toBe(invocationLogObserver);
    expect(telemetry.keySetEvents).toBeUndefined();

    const handler = createGuard({ verifier: harness.verifier, observer: telemetry.observer, realm: REALM })(methodsOf(policy, () => () => ({ status: 200 })));
    const response = await invokeHttp(handler, { route: 'orders', functionName: 'orders' });
    expect(response.status).toBe(401);
    expect(response.logs).toEqual([expect.stringMatching(/^warning: AuthFailure token_missing \(header\.authorization\) GET orders: no bearer token in the request /)]);
    expect(response.logs[0]).toContain(`"invocationId":"${response.invocationId}"`);

    await telemetry.shutdown(1_000);
    expect(loads).toBe(0);
  });

  it('registers no shutdown hooks', () => {
    const before = processListeners();
    const hooks: unknown[] = [];
    const wired = startAuthTelemetry({}, { onAppTerminate: (hook) => hooks.push(hook) });
    expect(wired.observer).toBe(invocationLogObserver);
    expect(processListeners()).toEqual(before);
    expect(hooks).toEqual([]);
  });
});

describe('with a connection string', () => {
  it('sends failures to the SDK and still writes them to the invocation log', async () => {
    const sink = new RecordingSink();
    const telemetry = createAuthTelemetry(loadTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING }), { loadSink: () => sink });
    const harness = await startHarness();
    try {
      const handler = createGuard({ verifier: harness.verifier, observer: telemetry.observer, realm: REALM })(methodsOf(policy, () => () => ({ status: 200 })));
      const response = await invokeHttp(handler, { route: 'orders', functionName: 'orders' });
      await telemetry.shutdown(1_000);
      expect(sink.events).toEqual([expect.objectContaining({ name: 'AuthFailure', properties: expect.objectContaining({ code: 'token_missing', invocationId: response.invocationId }) })]);
      expect(response.logs).toEqual([expect.stringContaining('AuthFailure token_missing')]);
    } finally {
      await harness.stop();
    }
  });

  it('can leave the invocation log out', () => {
    const sink = new RecordingSink();
    const telemetry = createAuthTelemetry(loadTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING }), { loadSink: () => sink, logFailuresToInvocation: false });
    const logs: string[] = [];
    const context = new InvocationContext({ logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')) });
    telemetry.observer.onFailure({ code: 'token_missing', check: 'header.authorization', status: 401, method: 'GET', route: 'orders', functionName: 'orders', invocationId: 'i', message: 'm' }, context);
    expect(logs).toEqual([]);
  });

  it('settles shutdown within its bound when ingestion hangs, and says so', async () => {
    const sink = new RecordingSink();
    sink.shutdownResult = () => new Promise<void>(() => undefined);
    const diagnostics = new DiagnosticLog();
    const telemetry = createAuthTelemetry(loadTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING }), { loadSink: () => sink, onDiagnostic: diagnostics.report });
    telemetry.keySetEvents?.onKeySetRefreshed?.({ version: '2.0', url: 'https://login.microsoftonline.com/t/discovery/v2.0/keys', kids: ['a'], reason: 'initial' });
    await telemetry.shutdown(30);
    expect(sink.shutdowns).toBe(1);
    expect(diagnostics.kinds()).toEqual(['loaded', 'shutdown_timeout']);
  });

  it('settles shutdown when the SDK fails to shut down, and says so', async () => {
    const sink = new RecordingSink();
    sink.shutdownResult = () => Promise.reject(new Error('exporter failed'));
    const diagnostics = new DiagnosticLog();
    const telemetry = createAuthTelemetry(loadTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING }), { loadSink: () => sink, onDiagnostic: diagnostics.report });
    telemetry.keySetEvents?.onKeySetRefreshed?.({ version: '2.0', url: 'https://login.microsoftonline.com/t/discovery/v2.0/keys', kids: ['a'], reason: 'initial' });
    await expect(telemetry.shutdown(1_000)).resolves.toBeUndefined();
    expect(diagnostics.entries).toContainEqual({ kind: 'shutdown_failed', message: 'exporter failed' });
  });
});

describe('flush at shutdown', () => {
  it('is one appTerminate hook, and no signal or exit listener of its own', async () => {
    const before = processListeners();
    const hooks: (() => Promise<void>)[] = [];
    startAuthTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING }, { onAppTerminate: (hook) => hooks.push(hook), onDiagnostic: () => undefined });
    expect(processListeners()).toEqual(before);
    expect(hooks).toHaveLength(1);
    const hook = hooks[0] as () => Promise<void>;
    const first = hook();
    expect(hook()).toBe(first); // a second terminate reuses the first flush
    await expect(first).resolves.toBeUndefined();
  });
});
