import { UNKNOWN_KID_REFRESH_MS } from '../../src/entra/entraKeyStore';
import { runRolloverScenario } from '../support/keyRolloverScenario';

/**
 * Issue 13 §3: junk with made-up kids can spend forced refreshes, but cannot hold a
 * newly published key back for longer than one cooldown, nor make the key endpoint
 * see more than one forced fetch per cooldown. The clock is injected; the key
 * endpoint is real HTTP on 127.0.0.1.
 */
describe('a key rollover under a flood of unknown-kid junk (5 simulated minutes, 50 junk tokens a second)', () => {
  it('accepts a newly published key within 30 s, refuses a withdrawn one within 30 s, and fetches the key set at most once per 30 s', async () => {
    const result = await runRolloverScenario({ seconds: 300, junkPerSecond: 50, publishAtSeconds: 0, withdrawAtSeconds: 150 });
    expect(UNKNOWN_KID_REFRESH_MS).toBe(30_000);
    expect(result.junkAllRefused).toBe(true);
    // Published just after the flood spent a forced refresh: the worst case is exactly one cooldown.
    expect(result.newKeyAcceptedAfterSeconds).toBe(30);
    // The withdrawn key's token sat in the verified-token cache. The forced fetch at +30 s sees the
    // key go; the request racing that fetch was still answered from the cache, the next one is refused.
    expect(result.oldKeyRefusedAfterSeconds).toBe(31);
    expect(result.maxFetchesPer30s).toBe(1);
    expect(result.keySetFetches).toBe(10);
  });

  it('with the old 5-minute cooldown (the reference), the same flood holds the new key back for the whole run', async () => {
    const result = await runRolloverScenario({ unknownKidRefreshMs: 5 * 60_000, seconds: 300, junkPerSecond: 50 });
    expect(result.newKeyAcceptedAfterSeconds).toBeUndefined();
    expect(result.oldKeyRefusedAfterSeconds).toBeUndefined();
    expect(result.keySetFetches).toBe(1);
  });
});
