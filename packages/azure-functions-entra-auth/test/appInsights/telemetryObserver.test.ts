import { InvocationContext } from '@azure/functions';
import { EntraKeyStore } from '../../src/entra/entraKeyStore';
import type { AuthFailureEvent, AuthObserver, AuthSuccessEvent } from '../../src/functions/authEvents';
import { keySetFallbackEvent } from '../../src/appInsights/authTelemetryItems';
import { createKeySetTelemetry, createTelemetryObserver } from '../../src/appInsights/telemetryObserver';
import { CALLER_APP, TENANT, createTestKey } from '../support/entraTokens';
import { FakeEntraMetadataServer } from '../support/fakeEntraMetadataServer';
import { DiagnosticLog, RecordingSink } from '../support/recordingSink';

const context = (logs: string[] = []) =>
  new InvocationContext({
    invocationId: 'inv-1',
    functionName: 'orders',
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });

const failure: AuthFailureEvent = {
  code: 'insufficient_scope',
  check: 'claims.roles',
  status: 403,
  method: 'POST',
  route: 'orders',
  functionName: 'orders',
  invocationId: '7d3f9a52-0b6e-4c1d-8a2f-5e9b0c1d2e3f',
  tenantId: TENANT,
  clientAppId: CALLER_APP,
  tokenVersion: '1.0',
  kid: 'kid-abc',
  message: 'caller lacks any of Orders.ReadWrite',
};

const success: AuthSuccessEvent = {
  method: 'GET',
  route: 'orders/{id}',
  functionName: 'order',
  tenantId: TENANT,
  clientAppId: CALLER_APP,
  tokenVersion: '2.0',
  appOnly: true,
};

let sink: RecordingSink;
let diagnostics: DiagnosticLog;
let observer: AuthObserver;

beforeEach(() => {
  sink = new RecordingSink();
  diagnostics = new DiagnosticLog();
  observer = createTelemetryObserver(sink, { report: diagnostics.report });
});

describe('AuthFailure events', () => {
  it('carry exactly the documented properties, as strings, and not the log message', () => {
    observer.onFailure(failure, context());
    expect(sink.events).toEqual([
      {
        name: 'AuthFailure',
        properties: {
          code: 'insufficient_scope',
          check: 'claims.roles',
          status: '403',
          method: 'POST',
          route: 'orders',
          functionName: 'orders',
          invocationId: '7d3f9a52-0b6e-4c1d-8a2f-5e9b0c1d2e3f',
          tenantId: TENANT,
          clientAppId: CALLER_APP,
          tokenVersion: '1.0',
          kid: 'kid-abc',
        },
      },
    ]);
  });

  it("send a refused token's claimed tenant and app under their own unverified names, not as tenantId and clientAppId", () => {
    const rest: AuthFailureEvent = { ...failure };
    delete (rest as { tenantId?: string }).tenantId;
    delete (rest as { clientAppId?: string }).clientAppId;
    observer.onFailure({ ...rest, code: 'signature_invalid', check: 'signature', status: 401, unverifiedTenantId: TENANT, unverifiedClientAppId: CALLER_APP }, context());
    const properties = sink.events[0]?.properties ?? {};
    expect(properties).toMatchObject({ code: 'signature_invalid', unverifiedTenantId: TENANT, unverifiedClientAppId: CALLER_APP });
    expect(properties).not.toHaveProperty('tenantId');
    expect(properties).not.toHaveProperty('clientAppId');
  });

  it('leave out caller facts that could not be read', () => {
    const bare: AuthFailureEvent = {
      code: 'token_missing',
      check: 'header.authorization',
      status: 401,
      method: 'GET',
      route: 'orders',
      functionName: 'orders',
      invocationId: failure.invocationId,
      message: 'no bearer token in the request',
    };
    observer.onFailure(bare, context());
    expect(Object.keys(sink.events[0]?.properties ?? {}).sort()).toEqual(['check', 'code', 'functionName', 'invocationId', 'method', 'route', 'status']);
  });

  it('carry nothing beyond the allow-list, whatever else the event holds', () => {
    const smuggled = { ...failure, token: 'eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl', upn: 'meganb@contoso.com', name: 'Megan Bowen', ipAddress: '203.0.113.7' };
    observer.onFailure(smuggled, context());
    const sent = JSON.stringify(sink.events);
    for (const value of ['eyJhbGciOi', 'meganb@contoso.com', 'Megan Bowen', '203.0.113.7', 'caller lacks']) expect(sent).not.toContain(value);
  });

  it('cut every value to 128 characters, so no access token fits in one', () => {
    observer.onFailure({ ...failure, check: `route.${'x'.repeat(2_000)}` }, context());
    expect(sink.events[0]?.properties.check).toHaveLength(128);
  });
});

describe('the AuthSuccess metric', () => {
  it('counts one per authorized request with functionName, tenantId, result and tokenVersion only', () => {
    observer.onSuccess?.(success, context());
    expect(sink.metrics).toEqual([
      { name: 'AuthSuccess', value: 1, dimensions: { functionName: 'order', tenantId: TENANT, result: 'authorized', tokenVersion: '2.0' } },
    ]);
    expect(sink.events).toEqual([]);
  });
});

describe('a failing sink', () => {
  it('never throws into the request, and is reported on the 1st and 10th failure only', () => {
    sink.failWith = new Error('exporter exploded');
    for (let i = 0; i < 12; i++) {
      expect(() => {
        observer.onFailure(failure, context());
        observer.onSuccess?.(success, context());
      }).not.toThrow();
    }
    expect(diagnostics.entries).toEqual([
      { kind: 'track_failed', message: 'exporter exploded (1 so far)' },
      { kind: 'track_failed', message: 'exporter exploded (1 so far)' },
      { kind: 'track_failed', message: 'exporter exploded (10 so far)' },
      { kind: 'track_failed', message: 'exporter exploded (10 so far)' },
    ]);
  });

  it('does not silence the invocation log it is combined with', () => {
    const logs: string[] = [];
    sink.failWith = new Error('exporter exploded');
    const combined = createTelemetryObserver(sink, {
      also: { onFailure: (event, ctx) => { ctx.warn(`AuthFailure ${event.code}`); } },
    });
    combined.onFailure(failure, context(logs));
    expect(logs).toEqual(['warning: AuthFailure insufficient_scope']);
  });
});

describe('key-set events, from the real key store', () => {
  let entra: FakeEntraMetadataServer;
  beforeAll(async () => {
    entra = await new FakeEntraMetadataServer().start();
  });
  afterAll(() => entra.stop());

  it('report the first load as AuthKeySetRefreshed and stale keys served as AuthKeySetFallback', async () => {
    const key = createTestKey('kid-one');
    entra.setKeys([key.publicJwk, createTestKey('kid-two').publicJwk]);
    entra.keysFault = 'none';
    const clock = { now: Date.now() };
    const store = new EntraKeyStore({ instance: entra.url, tenant: TENANT, fetch: (input, init) => fetch(input, init), now: () => clock.now, events: createKeySetTelemetry(sink) });
    await store.key('2.0', 'kid-one');

    // Six minutes on, an unknown kid forces a refresh while the key endpoint is down.
    clock.now += 6 * 60_000;
    entra.keysFault = 'down';
    await expect(store.key('2.0', 'kid-rotated')).rejects.toMatchObject({ code: 'key_not_found' });

    const keysUrl = new URL(`/${TENANT}/discovery/v2.0/keys`, entra.url);
    const where = `${keysUrl.host}${keysUrl.pathname}`;
    expect(sink.events).toEqual([
      { name: 'AuthKeySetRefreshed', properties: { version: '2.0', url: where, kidCount: '2', reason: 'initial' } },
      { name: 'AuthKeySetFallback', properties: { version: '2.0', url: where, check: 'jwks.fetch', reason: 'forced' } },
    ]);
  });

  it('name the key URL by host and path only', () => {
    const event = keySetFallbackEvent({
      version: '1.0',
      url: 'https://user:secret@login.example.net/tenant/discovery/keys?appid=abc#x',
      check: 'jwks.invalid',
      error: new Error('not a key set'),
      reason: 'expired',
    });
    expect(event.properties).toEqual({ version: '1.0', url: 'login.example.net/tenant/discovery/keys', check: 'jwks.invalid', reason: 'expired' });
  });
});
