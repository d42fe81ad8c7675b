import type { AuthError, TokenFacts } from './authErrors';
import { CHALLENGE_TEXT, type FailureDefinition, type FailureHttp } from './failureDefinition';

/**
 * Every way a request is refused, in one shape: a refused token is an AuthError
 * (thrown by the verifier), anything else a Refusal (returned by withAuth, the
 * policy or an app's handler). Both are complete and immutable when built; one
 * function (answerFailure) turns either into the HTTP answer and the event.
 */
export type Failure = AuthError | Refusal;

/** Permission names needed together or any one of them. */
export type RequiredPermissions = { readonly anyOf: readonly string[] } | { readonly allOf: readonly string[] };

export interface RefusalOptions {
  /** IDs of the caller from a verified token (telemetry reports them as verified); never from a refused one. */
  readonly facts?: TokenFacts;
  /**
   * Fixed, client-safe text that says exactly what to fix, instead of the code's own
   * detail; it becomes the problem's `detail` and, for a challenge, its
   * `error_description`. Never built from input.
   */
  readonly description?: string;
  /** insufficient_scope: the permissions that would have sufficed. */
  readonly required?: RequiredPermissions;
  /**
   * insufficient_claims: where the client signs in again (`authorization_uri`) and the
   * claims request it sends there, as JSON text (the challenge carries it base64-encoded).
   */
  readonly claimsChallenge?: ClaimsChallenge;
  /** method_not_allowed: the methods the resource serves. */
  readonly allow?: readonly string[];
  /** Retryable codes: when to try again. */
  readonly retryAfterSeconds?: number;
  /**
   * Further client-safe members of the problem body (an app's `field`, a backend's
   * status): fixed names and values the app chose, never echoed input.
   */
  readonly problem?: Readonly<Record<string, string | number>>;
  readonly cause?: unknown;
}

/** What a claims challenge (`error="insufficient_claims"`) names, beside the realm. */
export interface ClaimsChallenge {
  readonly authorizationUri: string;
  /** The claims request as JSON text, e.g. {"access_token":{"acrs":{"essential":true,"value":"c1"}}}. */
  readonly claims: string;
}

/** Problem members the answer writes itself; `problem` may not replace them. */
const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'code', 'detail', 'invocationId', 'required']);

/** A refusal that is not about the token itself: how it was sent, the policy, the resource. */
export class Refusal {
  /** The failure's stable code, from the definition it was built with. */
  readonly code: string;
  readonly http: FailureHttp;
  /** The problem's `detail`: the refusal's own description, or its code's. */
  readonly detail: string;
  readonly facts: TokenFacts;
  readonly required: RequiredPermissions | undefined;
  readonly allow: readonly string[] | undefined;
  readonly claimsChallenge: ClaimsChallenge | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly problem: Readonly<Record<string, string | number>> | undefined;
  readonly cause: unknown;

  constructor(
    failure: FailureDefinition,
    /** The exact check that failed, e.g. `claims.roles`, or an app's own such as `invoices.lookup`. */
    readonly check: string,
    /** For logs and telemetry: what went wrong, in words. Contains no token material. */
    readonly message: string,
    options: RefusalOptions = {},
  ) {
    this.code = failure.code;
    this.http = Object.freeze({ status: failure.status, challenge: failure.challenge, ...(failure.retryable && { retryable: failure.retryable }) });
    this.detail = options.description ?? failure.detail;
    this.facts = Object.freeze({ ...options.facts });
    this.required = options.required;
    this.allow = options.allow && Object.freeze([...options.allow]);
    this.claimsChallenge = options.claimsChallenge && Object.freeze({ ...options.claimsChallenge });
    if ((failure.challenge === 'insufficient_claims') !== (options.claimsChallenge !== undefined)) {
      throw new TypeError(`a ${failure.code} refusal needs claimsChallenge exactly when its challenge is insufficient_claims`);
    }
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.problem = options.problem && Object.freeze({ ...options.problem });
    this.cause = options.cause;
    if (failure.retryable && options.retryAfterSeconds === undefined) throw new TypeError(`a ${failure.code} refusal needs retryAfterSeconds`);
    // The body and the challenge carry the same text, so it must fit RFC 6750's error_description.
    if (failure.challenge !== 'none' && !CHALLENGE_TEXT.test(this.detail)) {
      throw new TypeError(`a ${failure.code} description must be RFC 6750 error_description text (printable ASCII, no quote or backslash)`);
    }
    for (const name of Object.keys(options.problem ?? {})) {
      if (RESERVED_MEMBERS.has(name)) throw new TypeError(`a refusal's problem member "${name}" is written by the answer itself`);
    }
    Object.freeze(this);
  }
}
