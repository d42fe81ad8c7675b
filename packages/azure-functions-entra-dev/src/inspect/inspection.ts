import type { RouteTable } from './routeAccess';

export type CheckStatus = 'pass' | 'fail' | 'not reached' | 'skipped';

/** One verification step as the production verifier ran it, with its explanation. */
export interface CheckRow {
  /** The step's name, in production order. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What the step checks, in the production step's own words. */
  readonly description?: string;
  /** For a failure: the exact check the verifier names (e.g. claims.aud) and its error code. */
  readonly check?: string;
  readonly code?: string;
  /** The verifier's own message for a failure (never contains the token). */
  readonly message?: string;
  readonly expected?: string;
  readonly found?: string;
  readonly fix?: string;
  /** Why it was skipped or not reached. */
  readonly note?: string;
}

/**
 * accepted: every check ran and passed. refused: one failed. passed-offline: every
 * check that ran passed, but with --offline the signature, key and issuer checks were
 * skipped, so nothing says the token is genuine.
 */
export type Verdict = 'accepted' | 'refused' | 'passed-offline';

export interface Inspection {
  readonly verdict: Verdict;
  /** What withAuth answers for this token (before authorization, for a refusal). */
  readonly answer: string;
  readonly settings: string;
  readonly checks: readonly CheckRow[];
  /** IDs read from the token (unverified): version, tid, oid, caller, kid. */
  readonly token?: Readonly<Record<string, string>>;
  /** The payload, personal claims redacted unless --show-claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** For a token that passed: every route and method, decided by authorize(). */
  readonly routes?: RouteTable;
  readonly notes: readonly string[];
}

export function exitCodeOf(inspection: Inspection): 0 | 1 {
  return inspection.verdict === 'refused' ? 1 : 0;
}
