/**
 * Turns what the user pasted into the string the verifier would see in
 * `Authorization: Bearer <token>`, or a refusal saying why it is not one. Only the
 * intake is decided here (text, not binary; bounded); every rule about the token
 * itself, its size included, is the production verifier's.
 */

/** Far above any token (the verifier's limit is 16 KB), so that the verifier refuses big input itself; beyond it we stop reading. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

export type TokenIntake =
  | { readonly ok: true; readonly token: string; readonly note?: string }
  | { readonly ok: false; readonly check: 'input.empty' | 'input.binary' | 'input.size'; readonly reason: string; readonly fix: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Control characters (C0 but tab/CR/LF, DEL, C1) and U+FFFD, which argv decoding puts in place of invalid bytes.
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/;
const BEARER_PREFIX = /^(?:authorization:\s*)?bearer(?:\s+|$)/i;

export function intakeBytes(bytes: Buffer, truncated: boolean): TokenIntake {
  if (truncated || bytes.length > MAX_INPUT_BYTES) {
    return refuse('input.size', `more than ${MAX_INPUT_BYTES} bytes on standard input`, 'pipe in the access token only (Entra access tokens are 1-4 KB)');
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return binary(bytes.length);
  }
  return intakeText(text, bytes.length);
}

export function intakeText(raw: string, byteLength = Buffer.byteLength(raw)): TokenIntake {
  const text = raw.replace(/^\ufeff/, '').trim();
  if (text === '') return refuse('input.empty', 'no token given', 'pass the access token itself, e.g. `pbpaste | npx entra-dev inspect -`');
  if (BINARY.test(text)) return binary(byteLength);
  const token = text.replace(BEARER_PREFIX, '');
  if (token === text) return { ok: true, token };
  if (token === '') return refuse('input.empty', 'only "Bearer" was given, no token', 'pass the access token that follows "Bearer "');
  return { ok: true, token, note: 'the leading "Bearer " was removed' };
}

function binary(byteLength: number): TokenIntake {
  return refuse('input.binary', `the input is binary data (${byteLength} bytes), not text`, 'an access token is text: header.payload.signature in base64url');
}

function refuse(check: 'input.empty' | 'input.binary' | 'input.size', reason: string, fix: string): TokenIntake {
  return { ok: false, check, reason, fix };
}

/** Reads a stream (standard input) up to MAX_INPUT_BYTES, then stops: junk cannot make this buffer without bound. */
export async function readBounded(stream: AsyncIterable<Buffer | string>): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_INPUT_BYTES) return { bytes: Buffer.concat(chunks), truncated: true };
    chunks.push(bytes);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
