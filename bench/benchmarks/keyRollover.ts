import { UNKNOWN_KID_REFRESH_MS } from '../../packages/azure-functions-entra-auth/src/entra/entraKeyStore';
import { runRolloverScenario, type RolloverScenarioResult } from '../../packages/azure-functions-entra-auth/test/support/keyRolloverScenario';
import type { Benchmark } from '../support/benchmark';
import { formatNumber } from '../support/table';

const SECONDS = 300;
const JUNK_PER_SECOND = 200;
/** The cooldown this project had before issue 13 §3, and the window Microsoft.Identity.Web keeps. */
const REFERENCE_COOLDOWN_MS = 5 * 60_000;

/**
 * A key rollover under a flood of unknown-kid junk, on a simulated clock (the key
 * endpoint is real HTTP on 127.0.0.1): how long a newly published key waits, how long a
 * withdrawn one keeps verifying, and how often the key endpoint is asked, beside the
 * same run with the old 5-minute cooldown.
 */
export const keyRollover: Benchmark = {
  name: 'rollover',
  title: 'Key rollover under an unknown-kid flood: key-set fetches and time to accept a new key',
  async run({ print }) {
    print(`${formatNumber(SECONDS)} simulated seconds, ${formatNumber(JUNK_PER_SECOND)} junk tokens a second; new key published at 0 s, old key withdrawn at 150 s,`);
    print('each just after a flood spent the forced refresh (the worst moment)');
    const rows: [string, RolloverScenarioResult][] = [
      [`this verifier (${UNKNOWN_KID_REFRESH_MS / 1000} s cooldown)`, await runRolloverScenario({ seconds: SECONDS, junkPerSecond: JUNK_PER_SECOND })],
      [`reference (${REFERENCE_COOLDOWN_MS / 60_000} min cooldown)`, await runRolloverScenario({ seconds: SECONDS, junkPerSecond: JUNK_PER_SECOND, unknownKidRefreshMs: REFERENCE_COOLDOWN_MS })],
    ];
    for (const [name, result] of rows) {
      if (!result.junkAllRefused) throw new Error(`${name}: a junk token was not refused as key_not_found`);
      const after = (value: number | undefined) => (value === undefined ? `not within ${SECONDS} s` : `after ${value} s`);
      print(
        `${name}: ${formatNumber(result.junkTokens)} junk tokens, ${result.keySetFetches} key-set fetches (at most ${result.maxFetchesPer30s} per 30 s); ` +
          `new key accepted ${after(result.newKeyAcceptedAfterSeconds)}; withdrawn key refused ${after(result.oldKeyRefusedAfterSeconds)}`,
      );
    }
    const ours = rows[0]?.[1];
    const pass = ours !== undefined && (ours.newKeyAcceptedAfterSeconds ?? Infinity) <= 30 && ours.maxFetchesPer30s <= 1 && ours.keySetFetches <= 10;
    print(`goal for this verifier (new key within 30 s, at most 1 forced fetch per 30 s and 10 in 5 min): ${pass ? 'PASS' : 'FAIL'}`);
  },
};
