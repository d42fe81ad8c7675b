import { requestedWaitMs, retryAfterSeconds, type HeaderReader } from './retryAfter';

/**
 * What an Azure SDK call (or the credential behind it) failed with, as far as a caller
 * decides anything on it. Each client maps these to its own typed error and code.
 */
export type SdkFailure =
  /** The caller's deadline, an abort, or a transport timeout: no answer in time. */
  | { readonly kind: 'timeout'; readonly status: undefined; readonly retryAfterSeconds: undefined }
  /** @azure/identity got no token: no managed identity here, no `az login`, or the token request failed. */
  | { readonly kind: 'credential_unavailable'; readonly status: undefined; readonly retryAfterSeconds: undefined }
  /** The request never got an HTTP answer: refused, reset, DNS, TLS. */
  | { readonly kind: 'unreachable'; readonly status: undefined; readonly retryAfterSeconds: undefined }
  /** The service answered with an error status; `retryAfterSeconds` is its requested wait (capped), if it sent one. */
  | {
      readonly kind: 'answered';
      readonly status: number;
      /** The service's own error code (TableNotFound, KeyNotFound, ...), when it sent one. */
      readonly serviceCode: string | undefined;
      readonly retryAfterSeconds: number | undefined;
    }
  /** Not a failure of the SDK call at all (a bug in the caller): callers rethrow or report it as such. */
  | { readonly kind: 'not_sdk'; readonly status: undefined; readonly retryAfterSeconds: undefined };

/** What the SDKs throw, as far as this module reads it (RestError, AbortError, Node network errors). */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly details?: { readonly errorCode?: unknown; readonly odataError?: { readonly code?: unknown } };
  readonly response?: { readonly headers?: { readonly get?: unknown } };
}

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError']);

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The HTTP status of a RestError, when the service answered. */
export function sdkStatusOf(error: unknown): number | undefined {
  const status = shapeOf(error).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The service's own error code: the SDKs leave RestError.code unset for service
 * answers and put it in the details (data-tables) and the x-ms-error-code header.
 */
export function sdkServiceCodeOf(error: unknown): string | undefined {
  const shape = shapeOf(error);
  const candidates = [shape.details?.errorCode, shape.details?.odataError?.code, headersOf(shape)?.get('x-ms-error-code')];
  return candidates.find((candidate): candidate is string => typeof candidate === 'string');
}

function headersOf(shape: SdkErrorShape): HeaderReader | undefined {
  const headers = shape.response?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const get = headers.get as (name: string) => unknown;
  return {
    get(name) {
      const value = get.call(headers, name);
      return typeof value === 'string' ? value : undefined;
    },
  };
}

/**
 * Classifies `error`. `aborted` is the caller's own deadline: once it has passed,
 * whatever the SDK threw is a timeout.
 */
export function classifySdkFailure(error: unknown, options: { readonly aborted?: boolean; readonly now?: number } = {}): SdkFailure {
  const shape = shapeOf(error);
  const name = typeof shape.name === 'string' ? shape.name : '';
  const message = typeof shape.message === 'string' ? shape.message : '';
  const without = { status: undefined, retryAfterSeconds: undefined } as const;
  if (options.aborted === true || name === 'AbortError' || name === 'TimeoutError') return { kind: 'timeout', ...without };
  if (CREDENTIAL_ERRORS.has(name)) return { kind: 'credential_unavailable', ...without };
  const status = sdkStatusOf(error);
  if (status === undefined) {
    // No answer: a RestError without a status, a Node error with a transport code, or fetch's TypeError.
    const transport = typeof shape.code === 'string' || name === 'RestError' || (name === 'TypeError' && /fetch|network|socket/i.test(message));
    if (!transport) return { kind: 'not_sdk', ...without };
    return { kind: /timeout|timed out/i.test(message) ? 'timeout' : 'unreachable', ...without };
  }
  const waitMs = requestedWaitMs(headersOf(shape), options.now ?? Date.now());
  return { kind: 'answered', status, serviceCode: sdkServiceCodeOf(error), retryAfterSeconds: waitMs === undefined ? undefined : retryAfterSeconds(waitMs) };
}
