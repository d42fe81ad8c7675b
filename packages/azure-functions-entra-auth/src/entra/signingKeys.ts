import { createPublicKey, type KeyObject } from 'node:crypto';
import * as z from 'zod/mini';
import { KID_PATTERN } from '../jwt/checkJoseHeader';

/**
 * A Node KeyObject, built once per key when the key set is read: node:crypto's
 * synchronous verify takes it as is, with no per-token import or thread-pool trip.
 */
export type VerificationKey = KeyObject;

export interface SigningKey {
  readonly kid: string;
  readonly key: VerificationKey;
  /** v2 key sets name the issuer each key may sign for (possibly the `{tenantid}` template). */
  readonly issuer: string | undefined;
}

export type SigningKeySet = ReadonlyMap<string, SigningKey>;

const MIN_RSA_BITS = 2048;
const MAX_KEYS = 100;

const rsaSigningKey = z.object({
  kty: z.literal('RSA'),
  use: z.optional(z.literal('sig')),
  alg: z.optional(z.literal('RS256')),
  kid: z.string().check(z.regex(KID_PATTERN)),
  n: z.string().check(z.regex(/^[A-Za-z0-9_-]+$/)),
  // Entra publishes e = 65537 only; e = 1 would make any "signature" valid.
  e: z.literal('AQAB'),
  issuer: z.optional(z.string().check(z.maxLength(512))),
});

const keySetDocument = z.object({ keys: z.array(z.unknown()).check(z.maxLength(MAX_KEYS)) });

/**
 * Turns a JWKS document into verification keys. Keys this API cannot use (other
 * types, encryption keys, short RSA moduli, duplicates) are skipped one by one;
 * a document with no usable key at all is an error, not an empty set.
 */
export function parseSigningKeySet(body: unknown): Promise<SigningKeySet> {
  try {
    return Promise.resolve(readSigningKeySet(body));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function readSigningKeySet(body: unknown): SigningKeySet {
  const parsed = keySetDocument.safeParse(body);
  if (!parsed.success) throw new Error(`not a JSON Web Key Set (a "keys" array of at most ${MAX_KEYS})`);
  const keys = new Map<string, SigningKey>();
  for (const candidate of parsed.data.keys) {
    const jwk = rsaSigningKey.safeParse(candidate);
    if (!jwk.success || keys.has(jwk.data.kid)) continue;
    if (modulusBits(jwk.data.n) < MIN_RSA_BITS) continue;
    try {
      const key = createPublicKey({ key: { kty: 'RSA', n: jwk.data.n, e: jwk.data.e }, format: 'jwk' });
      if (key.asymmetricKeyType !== 'rsa') continue;
      keys.set(jwk.data.kid, Object.freeze({ kid: jwk.data.kid, key, issuer: jwk.data.issuer }));
    } catch {
      // An unusable key is skipped; the others still serve.
    }
  }
  if (keys.size === 0) throw new Error('the key set holds no usable RS256 signing key');
  return keys;
}

/** The real bit length of n: leading zero octets (which RFC 7518 §6.3.1.1 forbids) do not count. */
function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  const first = bytes.findIndex((byte) => byte !== 0);
  return first < 0 ? 0 : (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first] ?? 0));
}
