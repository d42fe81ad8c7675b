import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter, requestedWaitMs } from '../../lib/azure/retryAfter';
import { classifySdkFailure, sdkServiceCodeOf } from '../../lib/azure/sdkFailure';

const NOW = Date.parse('2030-01-01T12:00:00Z');

const restError = (statusCode: number | undefined, headers: Record<string, string> = {}, extra: object = {}) =>
  Object.assign(new Error('the service said no'), { name: 'RestError', statusCode, response: { headers: new Map(Object.entries(headers)) } }, extra);

describe('the wait a service asks for', () => {
  it.each<[string, Record<string, string>, number | undefined]>([
    ['retry-after-ms', { 'retry-after-ms': '1500' }, 1500],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '250' }, 250],
    ['Retry-After in seconds', { 'retry-after': '7' }, 7000],
    ['Retry-After as an HTTP date', { 'retry-after': new Date(NOW + 30_000).toUTCString() }, 30_000],
    ['milliseconds over seconds when both are sent', { 'retry-after-ms': '800', 'retry-after': '9' }, 800],
    ['an unreadable milliseconds header falls back to Retry-After', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3000],
    ['nothing readable', { 'retry-after': 'soon' }, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(requestedWaitMs(new Map(Object.entries(headers)), NOW)).toBe(expected);
  });

  it('reads Retry-After as whole seconds, at least 1', () => {
    expect(parseRetryAfter('0', NOW)).toBe(1);
    expect(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW)).toBe(1);
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('an Azure SDK failure', () => {
  it.each<[string, unknown, object]>([
    ['a 429 with retry-after-ms, rounded up to whole seconds', restError(429, { 'retry-after-ms': '1200' }), { kind: 'answered', status: 429, retryAfterSeconds: 2 }],
    ['a 503 asking for an hour, capped', restError(503, { 'retry-after': '3600' }), { kind: 'answered', status: 503, retryAfterSeconds: MAX_RETRY_AFTER_SECONDS }],
    ['a 500 without a header', restError(500), { kind: 'answered', status: 500, retryAfterSeconds: undefined }],
    ['a RestError without a status', restError(undefined, {}, { code: 'ECONNREFUSED' }), { kind: 'unreachable', status: undefined }],
    ['a Node socket error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), { kind: 'unreachable' }],
    ['fetch failing', new TypeError('fetch failed'), { kind: 'unreachable' }],
    ['a transport timeout', restError(undefined, {}, { message: 'connect ETIMEDOUT: timed out' }), { kind: 'timeout' }],
    ['an abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), { kind: 'timeout' }],
    ['no credential', Object.assign(new Error('no az login'), { name: 'CredentialUnavailableError' }), { kind: 'credential_unavailable' }],
    ['a bug of the caller', new TypeError("Cannot read properties of undefined (reading 'x')"), { kind: 'not_sdk' }],
    ['a thrown string', 'oops', { kind: 'not_sdk' }],
  ])('%s', (_name, error, expected) => {
    expect(classifySdkFailure(error, { now: NOW })).toMatchObject(expected);
  });

  it("is a timeout whatever was thrown once the caller's deadline has passed", () => {
    expect(classifySdkFailure(restError(500), { aborted: true, now: NOW }).kind).toBe('timeout');
  });

  it("carries the service's own error code from the details or the x-ms-error-code header", () => {
    expect(sdkServiceCodeOf(restError(404, {}, { details: { odataError: { code: 'TableNotFound' } } }))).toBe('TableNotFound');
    expect(classifySdkFailure(restError(404, { 'x-ms-error-code': 'KeyNotFound' }), { now: NOW })).toMatchObject({ kind: 'answered', serviceCode: 'KeyNotFound' });
  });
});
