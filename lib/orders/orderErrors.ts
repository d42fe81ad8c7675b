import type { AppFailureCode } from '../failures/appFailures';

/**
 * Failures the store layer and the concurrency rules throw: each knows its stable
 * code (one of the app's failure codes, lib/failures/appFailures.ts) and the facts of the failure at
 * construction; orderFailureAnswer.ts answers them through the shared failure model,
 * which holds their status, headers and client-facing text.
 */
export type OrderFailureCode = Extract<AppFailureCode, 'store_unavailable' | 'precondition_required' | 'precondition_failed' | 'invalid_continuation'>;

abstract class OrderFailure extends Error {
  abstract readonly code: OrderFailureCode;
}

/** Why the store did not serve the call: for the log and telemetry, never the answer body. */
export type StoreUnavailableReason = 'timeout' | 'unreachable' | 'throttled' | 'server_error' | 'access_denied' | 'credential_unavailable' | 'table_missing' | 'unexpected_answer';

/** The table did not answer usefully within the bound: 503 with Retry-After, never a 500 or a hang. */
export class StoreUnavailableError extends OrderFailure {
  readonly code = 'store_unavailable';

  constructor(
    readonly reason: StoreUnavailableReason,
    /** The store's HTTP status, when it answered. */
    readonly storeStatus: number | undefined,
    readonly retryAfterSeconds: number,
    options: { cause?: unknown } = {},
  ) {
    super(`Order store unavailable (${reason}${storeStatus === undefined ? '' : `, HTTP ${storeStatus}`})`, options);
    this.name = 'StoreUnavailableError';
    Object.freeze(this);
  }
}

/** PUT without If-Match: a blind overwrite could undo a change the caller has not seen. */
export class PreconditionRequiredError extends OrderFailure {
  readonly code = 'precondition_required';

  constructor() {
    super('If-Match is required to replace an order');
    this.name = 'PreconditionRequiredError';
    Object.freeze(this);
  }
}

/** If-Match named a version the order no longer has (or a malformed one). */
export class PreconditionFailedError extends OrderFailure {
  readonly code = 'precondition_failed';

  constructor(options: { cause?: unknown } = {}) {
    super('If-Match does not match the current version of the order', options);
    this.name = 'PreconditionFailedError';
    Object.freeze(this);
  }
}

/** A continuation that this API did not issue to this tenant, or that was altered. */
export class InvalidContinuationError extends OrderFailure {
  readonly code = 'invalid_continuation';

  constructor(
    /** Which check refused it: for the log only. */
    readonly check: 'encoding' | 'shape' | 'tenant',
  ) {
    super(`Continuation refused (${check})`);
    this.name = 'InvalidContinuationError';
    Object.freeze(this);
  }
}

export type OrderError = StoreUnavailableError | PreconditionRequiredError | PreconditionFailedError | InvalidContinuationError;

export function isOrderError(error: unknown): error is OrderError {
  return error instanceof OrderFailure;
}
