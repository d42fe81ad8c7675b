import { outgoingHeaders } from '../../lib/forwarding/outgoingHeaders';
import { MAX_TRACESTATE_LENGTH, isValidTraceparent, isValidTracestate } from '../../lib/forwarding/traceContext';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traceparent', () => {
  it.each([
    ['the spec example', TRACEPARENT],
    ['flags 00', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'],
  ])('accepts %s', (_name, value) => {
    expect(isValidTraceparent(value)).toBe(true);
  });

  it.each([
    ['upper-case hex', TRACEPARENT.toUpperCase()],
    ['an all-zero trace-id', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`],
    ['an all-zero parent-id', `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`],
    ['version ff', TRACEPARENT.replace(/^00/, 'ff')],
    ['another version', TRACEPARENT.replace(/^00/, '01')],
    ['a short trace-id', '00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01'],
    ['a trailing field', `${TRACEPARENT}-extra`],
    ['two values joined', `${TRACEPARENT}, ${TRACEPARENT}`],
    ['CR LF and a header', `${TRACEPARENT}\r\nX-Injected: 1`],
    ['not hex', '00-0af7651916cd43dd8448eb211c80319z-b7ad6b7169203331-01'],
    ['empty', ''],
  ])('refuses %s', (_name, value) => {
    expect(isValidTraceparent(value)).toBe(false);
  });
});

describe('tracestate', () => {
  it.each([
    ['one member', 'congo=t61rcWkgMzE'],
    ['two members with optional whitespace and an empty member', 'rojo=00f067aa0ba902b7 ,\t, congo=t61rcWkgMzE'],
    ['a multi-tenant key', 'fw529a3039@dt=a1b2'],
    ['a value with spaces inside', 'vendor=a b c'],
    ['32 members', Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(',')],
    ['exactly 512 characters', `a=${'v'.repeat(255)},b=${'v'.repeat(252)}`],
  ])('accepts %s', (_name, value) => {
    expect(value.length).toBeLessThanOrEqual(MAX_TRACESTATE_LENGTH);
    expect(isValidTracestate(value)).toBe(true);
  });

  it.each([
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['513 characters', `a=${'v'.repeat(255)},b=${'v'.repeat(253)}`],
    ['an upper-case key', 'Congo=t61rcWkgMzE'],
    ['a key starting with a digit (not multi-tenant)', '1vendor=x'],
    ['a value with =', 'vendor=a=b'],
    ['a NUL in a value', 'vendor=a\u0000b'],
    ['a control character', 'vendor=a\u001bb'],
    ['a non-ASCII character', 'vendor=caf\u00e9'],
    ['a member without =', 'vendor'],
    ['an empty value', 'vendor='],
    ['a key twice', 'a=1,a=2'],
    ['a value longer than 256', `vendor=${'v'.repeat(257)}`],
  ])('refuses %s', (_name, value) => {
    expect(isValidTracestate(value)).toBe(false);
  });
});

describe('outgoingHeaders and trace context', () => {
  const forwarded = (incoming: Record<string, string>) => Object.fromEntries(outgoingHeaders('assertion', new Headers(incoming)));

  it('forwards a valid traceparent and tracestate', () => {
    expect(forwarded({ traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' })).toMatchObject({ traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' });
  });

  it('drops both when traceparent is invalid, even with a valid tracestate', () => {
    const headers = forwarded({ traceparent: TRACEPARENT.toUpperCase(), tracestate: 'congo=t61rcWkgMzE' });
    expect(headers).not.toHaveProperty('traceparent');
    expect(headers).not.toHaveProperty('tracestate');
  });

  it('drops tracestate without a traceparent', () => {
    expect(forwarded({ tracestate: 'congo=t61rcWkgMzE' })).not.toHaveProperty('tracestate');
  });

  it('keeps a valid traceparent and drops an invalid tracestate', () => {
    const headers = forwarded({ traceparent: TRACEPARENT, tracestate: `a=${'v'.repeat(600)}` });
    expect(headers).toMatchObject({ traceparent: TRACEPARENT });
    expect(headers).not.toHaveProperty('tracestate');
  });
});
