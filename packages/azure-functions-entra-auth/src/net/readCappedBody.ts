import type { FetchedResponse } from './fetchJson';

/** The body was longer than allowed; reading stopped there. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly maxBytes: number,
    /** What Content-Length announced, when that alone was too much. */
    declared?: number,
  ) {
    super(declared === undefined ? `body exceeds ${maxBytes} bytes` : `body of ${declared} bytes exceeds ${maxBytes}`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a response (or request) body, counting bytes as they stream in whatever Content-Length
 * says, and cancels the stream past `maxBytes` so a hostile or broken peer cannot make
 * us buffer without bound. Stream errors (timeouts, resets) propagate as they are.
 */
export async function readCappedBody(response: Pick<FetchedResponse, 'headers' | 'body'>, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes, declared);
  }
  if (!response.body) return Buffer.alloc(0);
  // An iterator, not for await, so that past the cap `return` ends the stream (a ReadableStream held by its reader refuses cancel).
  const chunks = response.body[Symbol.asyncIterator]();
  const received: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done === true) break;
    const value: Uint8Array = next.value;
    size += value.byteLength;
    if (size > maxBytes) {
      await chunks.return?.();
      throw new BodyTooLargeError(maxBytes);
    }
    received.push(value);
  }
  return Buffer.concat(received);
}
