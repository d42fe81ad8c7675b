import type { AuthError, TokenFacts } from './authErrors';
import type { CheckName } from './checkNames';
import { FAILURE_HTTP, type FailureCode, type FailureHttp, type TokenFailureCode } from './failureCodes';

/**
 * Every way a request is refused, in one shape: a refused token is an AuthError
 * (thrown by the verifier), anything else a Refusal (returned by withAuth, the
 * policy or a handler). Both are complete and immutable when built; one function
 * (lib/http/failureAnswer.ts) turns either into the HTTP answer and the event.
 */
export type Failure = AuthError | Refusal;

export interface RefusalOptions {
  /** IDs of the caller from a verified token (telemetry reports them as verified); never from a refused one. */
  readonly facts?: TokenFacts;
  /**
   * Fixed, client-safe text that says exactly what to fix; it becomes the problem's
   * `detail` and, for a challenge, its `error_description`. Never built from input.
   */
  readonly description?: string;
  /** insufficient_scope: the permissions that would have sufficed. */
  readonly required?: RequiredPermissions;
  /** method_not_allowed: the methods the resource serves. */
  readonly allow?: readonly string[];
  /** Retryable codes (store_unavailable): when to try again. */
  readonly retryAfterSeconds?: number;
  /** invalid_body, invalid_parameter: the known field at fault (never a name the caller made up). */
  readonly field?: string;
  /** backend_error: the status the backend answered with (the body's `backendStatus`). */
  readonly backendStatus?: number;
  readonly cause?: unknown;
}

const CHALLENGE_TEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Permission names needed together or any one of them (the shape of lib/authz's Requirement). */
export type RequiredPermissions = { readonly anyOf: readonly string[] } | { readonly allOf: readonly string[] };

/** Codes of refusals that are not about the token itself. */
export type RefusalCode = Exclude<FailureCode, TokenFailureCode>;

/** A refusal that is not about the token itself: how it was sent, the policy, the resource. */
export class Refusal {
  readonly facts: TokenFacts;
  readonly description: string | undefined;
  readonly required: RequiredPermissions | undefined;
  readonly allow: readonly string[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly field: string | undefined;
  readonly backendStatus: number | undefined;
  readonly cause: unknown;

  constructor(
    readonly code: RefusalCode,
    readonly check: CheckName,
    /** For logs and telemetry: what went wrong, in words. Contains no token material. */
    readonly message: string,
    options: RefusalOptions = {},
  ) {
    this.facts = Object.freeze({ ...options.facts });
    this.description = options.description;
    this.required = options.required;
    this.allow = options.allow && Object.freeze([...options.allow]);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.field = options.field;
    this.backendStatus = options.backendStatus;
    this.cause = options.cause;
    if (FAILURE_HTTP[code].retryable && options.retryAfterSeconds === undefined) {
      throw new TypeError(`a ${code} refusal needs retryAfterSeconds`);
    }
    // The body and the challenge carry the same text, so it must fit RFC 6750's error_description.
    if (FAILURE_HTTP[code].challenge !== 'none' && options.description !== undefined && !CHALLENGE_TEXT.test(options.description)) {
      throw new TypeError(`a ${code} description must be RFC 6750 error_description text (printable ASCII, no quote or backslash)`);
    }
    Object.freeze(this);
  }

  get http(): FailureHttp {
    return FAILURE_HTTP[this.code];
  }
}
