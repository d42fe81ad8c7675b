import { TokenMalformedError } from '../errors/authErrors';
import { RecentHeaders } from './recentHeaders';
import { MAX_JSON_DEPTH, hasCaseVariantNames, parseJsonObject } from './strictJson';

/** Entra access tokens are 1–4 KB; anything near this is not one. Checked before any decoding. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/**
 * ignoreBOM keeps a leading U+FEFF in the text (by default TextDecoder drops it), so
 * JSON.parse refuses it: no JWT encoder writes a byte-order mark, and parsers that keep
 * it (Microsoft.IdentityModel among them) refuse the token.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Decodes a JWS in compact serialization without verifying it. Strict on form:
 * exactly three non-empty segments of unpadded base64url in canonical encoding,
 * UTF-8 JSON objects (no byte-order mark, no unpaired surrogate) with no duplicate
 * member names, no top-level names that differ only in case, nested at most
 * MAX_JSON_DEPTH deep.
 */
export function decodeCompactJwt(token: string): DecodedJwt {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new TokenMalformedError(`token is ${token.length} characters; the limit is ${MAX_TOKEN_LENGTH}`, 'size');
  }
  const segments = token.split('.');
  if (segments.length === 5) throw new TokenMalformedError('encrypted tokens (JWE) are not accepted', 'format.jwe');
  if (segments.length !== 3) throw new TokenMalformedError(`expected 3 dot-separated segments, got ${segments.length}`, 'format');
  const [header, payload, signature] = segments as [string, string, string];
  const decoded = { header: decodeHeader(header), payload: decodeJsonSegment(payload, 'payload') };
  checkSegment(signature, 'signature'); // form check only; the signature check decodes the bytes
  return decoded;
}

/** Entra publishes a handful of keys at a time, each with its one header. */
const recentHeaders = new RecentHeaders(16);

function decodeHeader(segment: string): Readonly<Record<string, unknown>> {
  return recentHeaders.get(segment) ?? recentHeaders.remember(segment, decodeJsonSegment(segment, 'header'));
}

/**
 * Decodes a header or payload segment. Canonical unpadded base64url is exactly the
 * text re-encoding its bytes gives back: no padding, no '+' or '/', nothing Buffer
 * would skip, zero unused bits in the last character (Buffer ignores them, letting
 * many strings stand for one token). The comparison proves all of that at once, for
 * less than a regular expression over the segment costs.
 */
function decodeSegment(segment: string, name: 'header' | 'payload'): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if (segment.length === 0 || bytes.toString('base64url') !== segment) throw encodingError(segment, name);
  return bytes;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The signature segment's form, checked without decoding it (the signature check
 * decodes it): base64url characters only, a length not 1 mod 4, and zero bits beyond
 * the data in the last character.
 */
function checkSegment(segment: string, name: 'signature'): void {
  if (!SEGMENT.test(segment)) throw encodingError(segment, name);
  const leftover = segment.length % 4;
  const unusedBits = leftover === 2 ? 0x0f : leftover === 3 ? 0x03 : 0;
  if (leftover === 1 || (ALPHABET.indexOf(segment.charAt(segment.length - 1)) & unusedBits) !== 0) throw encodingError(segment, name);
}

function encodingError(segment: string, name: 'header' | 'payload' | 'signature'): TokenMalformedError {
  const reason = SEGMENT.test(segment) ? 'is not canonical base64url' : 'is not unpadded base64url';
  return new TokenMalformedError(`${name} ${reason}`, `${name}.encoding`);
}

function decodeJsonSegment(segment: string, name: 'header' | 'payload'): Record<string, unknown> {
  const bytes = decodeSegment(segment, name);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new TokenMalformedError(`${name} is not UTF-8`, `${name}.encoding`, { cause });
  }
  let json: Record<string, unknown>;
  try {
    json = parseJsonObject(text);
  } catch (cause) {
    throw new TokenMalformedError(`${name} is not a JSON object of well-formed Unicode without duplicate members, nested at most ${MAX_JSON_DEPTH} deep`, `${name}.json`, { cause });
  }
  // Top-level members only: those are the claims and headers a consumer looks up by name.
  if (hasCaseVariantNames(json)) throw new TokenMalformedError(`${name} has member names that differ only in case`, `${name}.json`);
  return json;
}
