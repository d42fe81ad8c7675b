import { TokenMalformedError } from '../errors/authErrors';
import { parseJsonObject } from './strictJson';

/** Entra access tokens are 1–4 KB; anything near this is not one. Checked before any decoding. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Decodes a JWS in compact serialization without verifying it. Strict on form:
 * exactly three non-empty segments of unpadded base64url in canonical encoding,
 * UTF-8 JSON objects with no duplicate member names.
 */
export function decodeCompactJwt(token: string): DecodedJwt {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new TokenMalformedError(`token is ${token.length} characters; the limit is ${MAX_TOKEN_LENGTH}`, 'size');
  }
  const segments = token.split('.');
  if (segments.length === 5) throw new TokenMalformedError('encrypted tokens (JWE) are not accepted', 'format.jwe');
  if (segments.length !== 3) throw new TokenMalformedError(`expected 3 dot-separated segments, got ${segments.length}`, 'format');
  const [header, payload, signature] = segments as [string, string, string];
  const decoded = { header: decodeJsonSegment(header, 'header'), payload: decodeJsonSegment(payload, 'payload') };
  checkSegment(signature, 'signature'); // form check only; the signature check decodes the bytes
  return decoded;
}

function decodeSegment(segment: string, name: 'header' | 'payload'): Buffer {
  checkSegment(segment, name);
  return Buffer.from(segment, 'base64url');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Canonical unpadded base64url, checked without decoding: the length is not 1 mod 4,
 * and the bits the last character carries beyond the data are zero (Buffer would
 * silently ignore them, letting many strings stand for one token).
 */
function checkSegment(segment: string, name: 'header' | 'payload' | 'signature'): void {
  if (!SEGMENT.test(segment)) {
    throw new TokenMalformedError(`${name} is not unpadded base64url`, `${name}.encoding`);
  }
  const leftover = segment.length % 4;
  const unusedBits = leftover === 2 ? 0x0f : leftover === 3 ? 0x03 : 0;
  if (leftover === 1 || (ALPHABET.indexOf(segment.charAt(segment.length - 1)) & unusedBits) !== 0) {
    throw new TokenMalformedError(`${name} is not canonical base64url`, `${name}.encoding`);
  }
}

function decodeJsonSegment(segment: string, name: 'header' | 'payload'): Record<string, unknown> {
  const bytes = decodeSegment(segment, name);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new TokenMalformedError(`${name} is not UTF-8`, `${name}.encoding`, { cause });
  }
  try {
    return parseJsonObject(text);
  } catch (cause) {
    throw new TokenMalformedError(`${name} is not a JSON object without duplicate members`, `${name}.json`, { cause });
  }
}
