import { ManagedIdentityStandin } from '../../dev/ingestion-standin/managedIdentityStandin';
import { CALLER_APP, TENANT } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { startScene, type AppProcess, type AppResponse, type Scene } from './support/telemetryScene';

/**
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD;ClientId=<guid>: the app
 * gets a token from its (user-assigned) managed identity and the SDK presents it on
 * every export. The managed identity endpoint is the App Service one
 * (IDENTITY_ENDPOINT/IDENTITY_HEADER), stood in for on 127.0.0.1. The same run has
 * Entra's key endpoint down, so the one failure to report is keys_unavailable.
 */
const IDENTITY_CLIENT_ID = '4a6b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d';

let scene: Scene;
let identity: ManagedIdentityStandin;
let app: AppProcess;
let refused: AppResponse;
let exit: { code: number | null; signal: NodeJS.Signals | null };

beforeAll(async () => {
  scene = await startScene();
  identity = await ManagedIdentityStandin.start();
  scene.entra.keysFault = 'down';
  app = await scene.startApp({
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${IDENTITY_CLIENT_ID}`,
    ...identity.environment,
  });
  refused = await app.get('me', await scene.token());
  await app.waitForTelemetry('loaded', 20_000);
  exit = await app.terminate();
}, 60_000);

afterAll(async () => {
  await scene.stop();
  await identity.stop();
});

it('answers 503 keys_unavailable while Entra keys cannot be fetched, as without telemetry', () => {
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({ code: 'keys_unavailable' });
});

it('reports keys_unavailable as an AuthFailure event with exactly the documented properties', () => {
  expect(scene.ingestion.events('AuthFailure', app.instrumentationKey).map((event) => event.properties)).toEqual([
    {
      code: 'keys_unavailable',
      check: 'jwks.fetch',
      status: '503',
      method: 'GET',
      route: 'me',
      functionName: 'me',
      invocationId: refused.body.invocationId,
      // keys_unavailable: the token could not be verified, so its IDs are claims only.
      unverifiedTenantId: TENANT,
      unverifiedClientAppId: CALLER_APP,
      tokenVersion: '2.0',
      kid: scene.key.kid,
    },
  ]);
});

it('asks the managed identity endpoint for a Monitor token for the configured user-assigned identity', () => {
  expect(identity.requests.length).toBeGreaterThan(0);
  for (const request of identity.requests) {
    expect(request).toMatchObject({ authorized: true, clientId: IDENTITY_CLIENT_ID, resource: expect.stringMatching(/^https:\/\/monitor\.azure\.com\/?$/) });
  }
});

it('presents that token on every export', () => {
  const issued = new Set(identity.issuedTokens.map((token) => `Bearer ${token}`));
  expect(scene.ingestion.requests.length).toBeGreaterThan(0);
  for (const request of scene.ingestion.requests) expect(issued.has(String(request.headers.authorization))).toBe(true);
});

it('ends cleanly on SIGTERM without unhandled rejections', () => {
  expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
  expect(app.reports.unhandledRejections).toEqual([]);
});
