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
 * Reads a response body, counting bytes as they stream in whatever Content-Length
 * says, and cancels the stream past `maxBytes` so a hostile or broken peer cannot make
 * us buffer without bound. Stream errors (timeouts, resets) propagate as they are.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes, declared);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
