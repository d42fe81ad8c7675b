import { loadAuthSettings, type AuthSettings } from '../../src/settings/authSettings';
import type { KeySetEvents } from '../../src/entra/entraKeyStore';
import { createAccessTokenVerifier } from '../../src/verify/createAccessTokenVerifier';
import type { AccessTokenVerifier } from '../../src/verify/verifiedAccessToken';
import type { FetchLike } from '../../src/net/fetchJson';
import { API_CLIENT_ID, APP_ID_URI, TENANT, createTestKey, type TestKey } from './entraTokens';
import { FakeEntraMetadataServer } from './fakeEntraMetadataServer';

export interface Harness {
  readonly server: FakeEntraMetadataServer;
  readonly key: TestKey;
  readonly settings: AuthSettings;
  readonly verifier: AccessTokenVerifier;
  readonly fetches: string[];
  readonly events: { refreshed: unknown[]; fallback: { check: string }[] };
  /** The clock the verifier reads, in ms; tests move it. */
  clock: { now: number };
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  /** Authority host the settings name; requests to it are routed to the local server. */
  readonly instance?: string;
  readonly key?: TestKey;
  readonly cacheSize?: number;
  readonly nowMs?: number;
}

/** A verifier wired to a fake Entra on 127.0.0.1, with a movable clock and a log of every fetch. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await new FakeEntraMetadataServer(options.instance ? { publicOrigin: options.instance } : {}).start();
  const key = options.key ?? createTestKey();
  server.setKeys([key.publicJwk]);
  const settings = loadAuthSettings({
    AUTH_TENANT_ID: TENANT,
    AUTH_CLIENT_ID: API_CLIENT_ID,
    AUTH_APP_ID_URI: APP_ID_URI,
    AUTH_INSTANCE: options.instance ?? server.url,
    ...options.env,
  });
  const fetches: string[] = [];
  const route = server.fetchFor(server.publicOrigin);
  const fetch: FetchLike = (input, init) => {
    fetches.push(input);
    return route(input, init);
  };
  const clock = { now: options.nowMs ?? Date.now() };
  const events: Harness['events'] = { refreshed: [], fallback: [] };
  const keyEvents: KeySetEvents = {
    onKeySetRefreshed: (event) => events.refreshed.push(event),
    onKeySetFallback: (event) => events.fallback.push(event),
  };
  const verifier = createAccessTokenVerifier(settings, {
    fetch,
    now: () => clock.now,
    events: keyEvents,
    ...(options.cacheSize !== undefined && { cacheSize: options.cacheSize }),
  });
  return { server, key, settings, verifier, fetches, events, clock, stop: () => server.stop() };
}

/** Resolves to the AuthError code a verification fails with, or 'ok'. */
export async function outcome(verifier: AccessTokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? `unexpected ${String(error)}`;
  }
}
