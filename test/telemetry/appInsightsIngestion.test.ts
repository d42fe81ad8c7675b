import { CALLER_APP, OTHER_TENANT, TENANT, USER_OID } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import type { CustomEvent } from '../../dev/ingestion-standin/trackPayload';
import { startScene, type AppProcess, type AppResponse, type Scene } from './support/telemetryScene';

/**
 * The real applicationinsights v3 SDK, in the app process, sending to the ingestion
 * stand-in: what arrives is what Application Insights would store in customEvents and
 * customMetrics. One app run serves every assertion here: a first batch of requests
 * while the SDK is not loaded yet (buffered, replayed), a second batch after it
 * loaded, then SIGTERM, which must flush everything (metrics would otherwise wait a minute).
 */
let scene: Scene;
let app: AppProcess;
let exit: { code: number | null; signal: NodeJS.Signals | null };
const tokens: string[] = [];
const responses: Record<string, AppResponse> = {};

const call = async (name: string, route: string, token?: string) => {
  if (token !== undefined) tokens.push(token);
  responses[name] = await app.get(route, token);
};

beforeAll(async () => {
  scene = await startScene();
  app = await scene.startApp();
  const now = Math.floor(Date.now() / 1000);
  const good = await scene.token({ roles: ['Orders.Read'] });

  // First batch: the SDK is not loaded yet; these are buffered.
  await call('ok1', 'me', good);
  await call('missing', 'me');
  await call('expired', 'me', await scene.token({ now: now - 7200 }));
  await call('noRole', 'orders', await scene.token({ roles: ['Something.Else'] }));

  // The deferral ends once the app is quiet; the buffer is replayed into the SDK.
  await app.waitForTelemetry('loaded', 20_000);

  // Second batch: straight into the loaded SDK.
  await call('ok2', 'me', good);
  await call('okOrders', 'orders', good);
  await call('otherTenant', 'me', await scene.token({ tenant: OTHER_TENANT }));
  await call('delegated', 'orders', await scene.token({ kind: 'delegated', scp: 'User.Read' }));

  exit = await app.terminate();
}, 60_000);

afterAll(() => scene.stop());

const events = (name: string): CustomEvent[] => scene.ingestion.events(name, app.instrumentationKey);
const failureFor = (name: string) => {
  const invocationId = responses[name]?.body.invocationId;
  const matching = events('AuthFailure').filter((event) => event.properties.invocationId === invocationId);
  expect(matching).toHaveLength(1);
  return matching[0]?.properties;
};

it('answers every request as it would without telemetry', () => {
  expect(Object.fromEntries(Object.entries(responses).map(([name, response]) => [name, response.status]))).toEqual({
    ok1: 200,
    missing: 401,
    expired: 401,
    noRole: 403,
    ok2: 200,
    okOrders: 200,
    otherTenant: 401,
    delegated: 403,
  });
});

it('sends one AuthFailure event per refused request, with exactly the documented properties', () => {
  const kid = scene.key.kid;
  // A 403 names the verified caller; a 401's token was refused, so its IDs are sent as unverified claims only.
  // A verified caller's authority is named too (issue 22); the AUTH_* form's is default.
  const caller = { tenantId: TENANT, clientAppId: CALLER_APP, tokenVersion: '2.0', kid, authority: 'default' };
  const claimed = { unverifiedTenantId: TENANT, unverifiedClientAppId: CALLER_APP, tokenVersion: '2.0', kid };
  const request = (name: string, route: string) => ({ method: 'GET', route, functionName: route, invocationId: responses[name]?.body.invocationId });
  expect(failureFor('missing')).toEqual({ code: 'token_missing', check: 'header.authorization', status: '401', ...request('missing', 'me') });
  expect(failureFor('expired')).toEqual({ code: 'token_expired', check: 'claims.exp', status: '401', ...request('expired', 'me'), ...claimed });
  expect(failureFor('noRole')).toEqual({ code: 'insufficient_scope', check: 'claims.roles', status: '403', ...request('noRole', 'orders'), ...caller });
  expect(failureFor('otherTenant')).toEqual({
    code: 'tenant_not_allowed',
    check: 'claims.tid',
    status: '401',
    ...request('otherTenant', 'me'),
    ...claimed,
    unverifiedTenantId: OTHER_TENANT,
  });
  expect(failureFor('delegated')).toEqual({ code: 'insufficient_scope', check: 'claims.scp', status: '403', ...request('delegated', 'orders'), ...caller });
  expect(events('AuthFailure')).toHaveLength(5);
});

it('counts authorized requests in the AuthSuccess metric, aggregated per dimension set', () => {
  const metrics = scene.ingestion.metrics('AuthSuccess', app.instrumentationKey);
  const counts = new Map<string, number>();
  for (const metric of metrics) {
    const key = JSON.stringify(metric.properties);
    counts.set(key, (counts.get(key) ?? 0) + metric.count);
  }
  const dimensions = (functionName: string) => JSON.stringify({ functionName, tenantId: TENANT, result: 'authorized', tokenVersion: '2.0', authority: 'default' });
  expect(Object.fromEntries(counts)).toEqual({ [dimensions('me')]: 2, [dimensions('orders')]: 1 });
  // Every measurement is 1, so the sum is the count too.
  for (const metric of metrics) expect(metric.value).toBe(metric.count);
});

it('reports the key set loads of the app start warm-up (both accepted versions) as AuthKeySetRefreshed events', () => {
  const keysUrl = (path: string) => {
    const url = new URL(`/${TENANT}/discovery/${path}`, scene.entra.url);
    return `${url.host}${url.pathname}`;
  };
  const loads = events('AuthKeySetRefreshed').map((event) => event.properties);
  expect(loads.sort((a, b) => String(a.version).localeCompare(String(b.version)))).toEqual([
    { version: '1.0', url: keysUrl('keys'), kidCount: '1', reason: 'initial' },
    { version: '2.0', url: keysUrl('v2.0/keys'), kidCount: '1', reason: 'initial' },
  ]);
});

it('sends no token, token segment, signature or personal claim, in any byte received', () => {
  const received = scene.ingestion.receivedBytes().toString('latin1');
  expect(scene.ingestion.requests.length).toBeGreaterThan(0);
  expect(tokens.length).toBeGreaterThan(5);
  for (const token of tokens) {
    expect(received).not.toContain(token);
    for (const segment of token.split('.')) expect(received).not.toContain(segment);
    const signature = Buffer.from(token.split('.')[2] ?? '', 'base64url');
    expect(received).not.toContain(signature.toString('latin1'));
    expect(received).not.toContain(signature.toString('base64'));
  }
  for (const personal of ['meganb@contoso.com', 'Megan Bowen', USER_OID]) expect(received).not.toContain(personal);
});

it('sends only the auth event names, only to the configured resource', () => {
  expect(new Set(scene.ingestion.events().map((event) => event.name))).toEqual(new Set(['AuthFailure', 'AuthKeySetRefreshed']));
  expect(new Set(scene.ingestion.envelopes().map((envelope) => envelope.iKey))).toEqual(new Set([app.instrumentationKey]));
  // Nothing else tried to leave the machine, except possibly the SDK's own settings poll (OneSettings).
  expect(scene.guard.attempts.filter((target) => !target.startsWith('settings.sdk.monitor.azure.com'))).toEqual([]);
});

it('flushed at SIGTERM and then ended by that signal, without unhandled rejections', () => {
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  expect(app.reports.unhandledRejections).toEqual([]);
  expect(app.reports.uncaughtExceptions).toEqual([]);
  expect(app.reports.telemetry.map((diagnostic) => diagnostic.kind)).toEqual(['loaded']);
  // Three AuthFailure events, one AuthSuccess metric, and the two key set loads of the start warm-up.
  expect(app.reports.telemetry[0]).toMatchObject({ replayed: 6 });
});
