/**
 * What a failure code means on the wire, defined once where the code is born. The
 * package defines its token, request and policy codes this way; an app defines its own
 * (its store, its input rules) the same way in its own file and builds `Refusal`s from
 * them, so its answers take the same RFC 6750 / RFC 9457 shape and the same telemetry
 * path without the package knowing the app's codes.
 */

/**
 * The `WWW-Authenticate` a refusal carries (RFC 6750 §3): `bare` is a challenge
 * without an error (no credentials were sent), `none` means no challenge at all.
 */
export type Challenge = 'bare' | 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'insufficient_claims' | 'none';

export interface FailureHttp {
  readonly status: number;
  readonly challenge: Challenge;
  /** Whether the answer carries `Retry-After` (a passing outage, not the caller's fault). */
  readonly retryable?: true;
}

export interface FailureDefinition<C extends string = string> extends FailureHttp {
  /** Stable and machine-readable: clients branch on it and telemetry counts it. */
  readonly code: C;
  /** Fixed, client-safe text saying what to fix; never built from request input. */
  readonly detail: string;
}

export type FailureSpec = Omit<FailureDefinition, 'code'>;

/** A set of failure definitions keyed by code. */
export type FailureTable<C extends string> = { readonly [K in C]: FailureDefinition<K> };

const CODE = /^[a-z][a-z0-9_]{0,63}$/;
/** RFC 6750 error_description: printable ASCII without `"` and `\`. */
export const CHALLENGE_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const CHALLENGE_STATUS: Readonly<Record<Challenge, readonly number[]>> = {
  bare: [401],
  invalid_token: [401],
  invalid_request: [400],
  insufficient_scope: [403],
  // A claims challenge (Conditional Access authentication context): MSAL retries with the claims it names.
  insufficient_claims: [401],
  none: [],
};

/**
 * Checks and freezes a table of failure definitions, at startup: a malformed code, a
 * status outside 400–599, a challenge on the wrong status, a detail that cannot travel
 * in a challenge, or Retry-After on an answer that is not 429/503 is a TypeError.
 */
export function defineFailures<const T extends Readonly<Record<string, FailureSpec>>>(specs: T): FailureTable<keyof T & string> {
  const table: Record<string, FailureDefinition> = {};
  for (const [code, spec] of Object.entries(specs)) {
    if (!CODE.test(code)) throw new TypeError(`failure code "${code}" must be lower-case snake_case`);
    const { status, challenge, retryable, detail } = spec;
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new TypeError(`failure ${code}: status ${status} is not an error status`);
    if (challenge !== 'none' && !CHALLENGE_STATUS[challenge].includes(status)) {
      throw new TypeError(`failure ${code}: a ${challenge} challenge belongs to ${CHALLENGE_STATUS[challenge].join('/')}, not ${status}`);
    }
    if (challenge !== 'none' && !CHALLENGE_TEXT.test(detail)) throw new TypeError(`failure ${code}: detail must be RFC 6750 error_description text`);
    if (retryable && status !== 503 && status !== 429) throw new TypeError(`failure ${code}: Retry-After belongs to 429 and 503 answers`);
    table[code] = Object.freeze({ code, status, challenge, detail, ...(retryable && { retryable }) });
  }
  return Object.freeze(table) as FailureTable<keyof T & string>;
}
