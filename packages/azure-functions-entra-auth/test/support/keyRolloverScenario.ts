import { randomBytes, randomUUID } from 'node:crypto';
import { loadAuthSettings } from '../../src/settings/authSettings';
import { EntraKeyStore } from '../../src/entra/entraKeyStore';
import type { FetchLike } from '../../src/net/fetchJson';
import { createAccessTokenVerifier } from '../../src/verify/createAccessTokenVerifier';
import { API_CLIENT_ID, APP_ID_URI, TENANT, accessTokenClaims, b64url, createTestKey, mintAccessToken } from './entraTokens';
import { FakeEntraMetadataServer } from './fakeEntraMetadataServer';
import { outcome } from './verifierHarness';

/**
 * A key rollover under a flood of unknown-kid junk, on an injected clock against the
 * fake Entra over real HTTP on 127.0.0.1. Every simulated second, `junkPerSecond`
 * unsigned tokens with made-up kids arrive together (each one forces a refresh if the
 * cooldown allows); a new key is published just after the first flood has spent a
 * forced refresh (the worst moment), and the old key is withdrawn later. Tokens under
 * both keys are tried every second, so the result says how long each change took to
 * take effect and how often the key endpoint was asked.
 */
export interface RolloverScenarioOptions {
  /** The key store's unknown-kid cooldown; undefined keeps its default. */
  readonly unknownKidRefreshMs?: number;
  readonly seconds?: number;
  readonly junkPerSecond?: number;
  /** When the new key appears in the key set, in simulated seconds from the start (just after that second's requests). */
  readonly publishAtSeconds?: number;
  /** When the old key leaves the key set (likewise). */
  readonly withdrawAtSeconds?: number;
}

export interface RolloverScenarioResult {
  readonly seconds: number;
  readonly junkTokens: number;
  /** Key-set requests the endpoint received during the flood (the warm-up load not counted). */
  readonly keySetFetches: number;
  /** The most key-set requests in any 30-second window of the flood. */
  readonly maxFetchesPer30s: number;
  /** Seconds from publication until a token under the new key first verified; undefined: never. */
  readonly newKeyAcceptedAfterSeconds: number | undefined;
  /** Seconds from withdrawal until a (cached) token under the old key was first refused; undefined: never. */
  readonly oldKeyRefusedAfterSeconds: number | undefined;
  /** Every junk token was refused as key_not_found (none slipped through, none hung). */
  readonly junkAllRefused: boolean;
}

const KEY_SET_PATH = `/${TENANT}/discovery/v2.0/keys`;

export async function runRolloverScenario(options: RolloverScenarioOptions = {}): Promise<RolloverScenarioResult> {
  const seconds = options.seconds ?? 300;
  const junkPerSecond = options.junkPerSecond ?? 50;
  const publishAt = options.publishAtSeconds ?? 0;
  const withdrawAt = options.withdrawAtSeconds ?? 150;
  const oldKey = createTestKey('rollover-old');
  const newKey = createTestKey('rollover-new');
  const server = await new FakeEntraMetadataServer().start();
  try {
    server.setKeys([oldKey.publicJwk]);
    const settings = loadAuthSettings({ AUTH_TENANT_ID: TENANT, AUTH_CLIENT_ID: API_CLIENT_ID, AUTH_APP_ID_URI: APP_ID_URI, AUTH_INSTANCE: server.url });
    const start = Date.now();
    const clock = { now: start };
    const keySetFetchTimes: number[] = [];
    const countingFetch: FetchLike = (input, init) => {
      if (input.endsWith(KEY_SET_PATH)) keySetFetchTimes.push(clock.now);
      return fetch(input, init);
    };
    const keyStore = new EntraKeyStore({
      instance: settings.instance,
      tenant: TENANT,
      fetch: countingFetch,
      now: () => clock.now,
      ...(options.unknownKidRefreshMs !== undefined && { unknownKidRefreshMs: options.unknownKidRefreshMs }),
    });
    const verifier = createAccessTokenVerifier(settings, { keyStore, now: () => clock.now });
    const lifetimeSeconds = seconds + 3600;
    const mint = (key: typeof oldKey) => mintAccessToken(key, { instance: server.url, now: Math.floor(start / 1000), lifetimeSeconds });
    const oldToken = await mint(oldKey);
    const newToken = await mint(newKey);
    if ((await outcome(verifier, oldToken)) !== 'ok') throw new Error('the warm-up token under the old key did not verify');
    const warmFetches = keySetFetchTimes.length;

    const junk = () => {
      const claims = accessTokenClaims({ instance: server.url, now: Math.floor(clock.now / 1000) });
      return `${b64url({ typ: 'JWT', alg: 'RS256', kid: `junk-${randomUUID()}` })}.${b64url(claims)}.${randomBytes(256).toString('base64url')}`;
    };
    let junkAllRefused = true;
    let accepted: number | undefined;
    let refused: number | undefined;
    for (let second = 0; second < seconds; second++) {
      clock.now = start + second * 1000;
      const flood = Array.from({ length: junkPerSecond }, () => outcome(verifier, junk()));
      const [results, newOutcome, oldOutcome] = await Promise.all([Promise.all(flood), outcome(verifier, newToken), outcome(verifier, oldToken)]);
      if (results.some((result) => result !== 'key_not_found')) junkAllRefused = false;
      if (accepted === undefined && second > publishAt && newOutcome === 'ok') accepted = second - publishAt;
      if (refused === undefined && second > withdrawAt && oldOutcome !== 'ok') refused = second - withdrawAt;
      // Changed just after this second's flood spent the forced refresh: the worst moment.
      if (second === publishAt || second === withdrawAt) {
        server.setKeys([...(second < withdrawAt ? [oldKey.publicJwk] : []), ...(second >= publishAt ? [newKey.publicJwk] : [])]);
      }
    }

    const floodFetches = keySetFetchTimes.slice(warmFetches);
    const maxFetchesPer30s = Math.max(0, ...floodFetches.map((at) => floodFetches.filter((other) => other >= at && other < at + 30_000).length));
    return {
      seconds,
      junkTokens: seconds * junkPerSecond,
      keySetFetches: floodFetches.length,
      maxFetchesPer30s,
      newKeyAcceptedAfterSeconds: accepted,
      oldKeyRefusedAfterSeconds: refused,
      junkAllRefused,
    };
  } finally {
    await server.stop();
  }
}
