import { HttpRequest, type HttpRequestInit } from '@azure/functions';
import { readJsonBody } from '../../lib/http/readJsonBody';
import { orderInput } from '../../lib/orders/order';

/**
 * Request bodies: the size limit holds while the body streams in, and the JSON is
 * held to the token's strict rules (no duplicate members, bounded nesting, UTF-8).
 */

const MAX = 64 * 1024;
const CHUNK = 1024;

function jsonRequest(body: Buffer | string): HttpRequest {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return new HttpRequest({ method: 'POST', url: 'https://orders.example.net/api/orders', headers: { 'content-type': 'application/json' }, body: { bytes } });
}

/** A chunked body without Content-Length that never ends, counting the bytes it was asked for. */
function endlessRequest(): { request: HttpRequest; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK).fill(0x20));
    },
    cancel() {
      cancelled = true;
    },
  });
  const nativeRequest = new Request('https://orders.example.net/api/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: stream,
    duplex: 'half',
  });
  // The streaming path of @azure/functions hands the handler a request over a native one, as here.
  const request = new HttpRequest({ nativeRequest } as unknown as HttpRequestInit);
  return { request, pulled: () => pulled, cancelled: () => cancelled };
}

describe('readJsonBody', () => {
  it('stops reading a chunked body without Content-Length at the limit and answers 413', async () => {
    const endless = endlessRequest();
    expect(endless.request.headers.get('content-length')).toBeNull();
    expect(await readJsonBody(endless.request, orderInput, MAX)).toMatchObject({ ok: false, status: 413, code: 'body_too_large' });
    // The limit plus what the stream had queued ahead; not the whole body (it has no end).
    expect(endless.pulled()).toBeLessThanOrEqual(MAX + 4 * CHUNK);
    expect(endless.cancelled()).toBe(true);
  });

  it('reads a body exactly at the limit', async () => {
    const body = `{"item":"x","quantity":1,"note":"n"}`;
    const padded = body + ' '.repeat(MAX - body.length);
    expect(await readJsonBody(jsonRequest(padded), orderInput, MAX)).toEqual({ ok: true, value: { item: 'x', quantity: 1, note: 'n' } });
    expect(await readJsonBody(jsonRequest(`${padded} `), orderInput, MAX)).toMatchObject({ ok: false, status: 413 });
  });

  it.each([
    ['at the top level', '{"item":"x","quantity":99999,"quantity":1}'],
    ['spelt with an escape', String.raw`{"item":"x","quantity":99999,"\u0071uantity":1}`],
  ])('refuses a duplicate member name %s with 400 invalid_json', async (_name, body) => {
    expect(await readJsonBody(jsonRequest(body), orderInput)).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_json',
      detail: 'The body is not valid JSON: a member name appears more than once.',
    });
  });

  it('refuses nesting deeper than the strict JSON bound with 400 invalid_json', async () => {
    const result = await readJsonBody(jsonRequest(`{"item":"x","quantity":1,"note":${'['.repeat(40)}${']'.repeat(40)}}`), orderInput);
    expect(result).toMatchObject({ ok: false, status: 400, code: 'invalid_json', detail: expect.stringContaining('nests deeper than 32') as unknown });
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x80])],
    ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
    ['a UTF-16 surrogate encoded as UTF-8', Buffer.from([0xed, 0xa0, 0x80])],
  ])('refuses invalid UTF-8 (%s) with 400, instead of reading it as U+FFFD', async (_name, bad) => {
    const body = Buffer.concat([Buffer.from('{"item":"'), bad, Buffer.from('","quantity":1}')]);
    expect(await readJsonBody(jsonRequest(body), orderInput)).toEqual({ ok: false, status: 400, code: 'invalid_json', detail: 'The body is not UTF-8.' });
  });

  it.each([
    ['in a value', String.raw`{"item":"\ud800","quantity":1}`],
    ['in a member name', String.raw`{"item":"x","quantity":1,"\udc00":1}`],
  ])('refuses an unpaired surrogate escape %s with 400 invalid_json (RFC 7493 I-JSON)', async (_name, body) => {
    expect(await readJsonBody(jsonRequest(body), orderInput)).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_json',
      detail: 'The body is not valid JSON: a string holds an unpaired surrogate (a \\uD800-\\uDFFF escape without its pair).',
    });
  });

  it('still reads an escaped surrogate pair', async () => {
    expect(await readJsonBody(jsonRequest(String.raw`{"item":"\ud834\udd1e","quantity":2}`), orderInput)).toEqual({ ok: true, value: { item: '𝄞', quantity: 2 } });
  });

  it('still reads valid UTF-8 beyond ASCII', async () => {
    expect(await readJsonBody(jsonRequest('{"item":"Käse ☕ 𝄞","quantity":2}'), orderInput)).toEqual({ ok: true, value: { item: 'Käse ☕ 𝄞', quantity: 2 } });
  });
});
