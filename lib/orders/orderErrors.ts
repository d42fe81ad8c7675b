/**
 * Failures of an Orders request that are not a 404 or a bad body: each knows its
 * stable code, HTTP status and headers at construction, so the one mapping in
 * orderFailureAnswer.ts only passes them on.
 */
export type OrderFailureCode = 'store_unavailable' | 'precondition_required' | 'precondition_failed' | 'invalid_continuation';

abstract class OrderFailure extends Error {
  abstract readonly code: OrderFailureCode;
  abstract readonly status: number;
  /** Fixed text for the problem body; never echoes input. */
  abstract readonly detail: string;
  readonly headers: Readonly<Record<string, string>> = Object.freeze({});
}

/** Why the store did not serve the call: for the log and telemetry, never the answer body. */
export type StoreUnavailableReason = 'timeout' | 'unreachable' | 'throttled' | 'server_error' | 'access_denied' | 'credential_unavailable' | 'table_missing' | 'unexpected_answer';

/** The table did not answer usefully within the bound: 503 with Retry-After, never a 500 or a hang. */
export class StoreUnavailableError extends OrderFailure {
  readonly code = 'store_unavailable';
  readonly status = 503;
  readonly detail = 'The order store is not answering; retry shortly.';
  override readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly reason: StoreUnavailableReason,
    /** The store's HTTP status, when it answered. */
    readonly storeStatus: number | undefined,
    readonly retryAfterSeconds: number,
    options: { cause?: unknown } = {},
  ) {
    super(`Order store unavailable (${reason}${storeStatus === undefined ? '' : `, HTTP ${storeStatus}`})`, options);
    this.name = 'StoreUnavailableError';
    this.headers = Object.freeze({ 'retry-after': String(retryAfterSeconds) });
    Object.freeze(this);
  }
}

/** PUT without If-Match: a blind overwrite could undo a change the caller has not seen. */
export class PreconditionRequiredError extends OrderFailure {
  readonly code = 'precondition_required';
  readonly status = 428;
  readonly detail = 'Send If-Match with the ETag from GET /api/orders/{id}: orders are replaced only if unchanged since read.';

  constructor() {
    super('If-Match is required to replace an order');
    this.name = 'PreconditionRequiredError';
    Object.freeze(this);
  }
}

/** If-Match named a version the order no longer has (or a malformed one). */
export class PreconditionFailedError extends OrderFailure {
  readonly code = 'precondition_failed';
  readonly status = 412;
  readonly detail = 'The order changed since the ETag you sent: read it again and retry with the new ETag.';

  constructor(options: { cause?: unknown } = {}) {
    super('If-Match does not match the current version of the order', options);
    this.name = 'PreconditionFailedError';
    Object.freeze(this);
  }
}

/** A continuation that this API did not issue to this tenant, or that was altered. */
export class InvalidContinuationError extends OrderFailure {
  readonly code = 'invalid_continuation';
  readonly status = 400;
  readonly detail = 'Field continuation: not a continuation this API issued to your tenant; start again without it.';

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
