import { createPublicKey, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import type { AssertionAlgorithm, PublicJwk, PublishedKey } from './signingKey';

/** RSA moduli below this are refused, as NIST SP 800-131A and Key Vault itself do. */
export const MIN_RSA_BITS = 2048;

export type KeyDescription = { readonly ok: true; readonly key: PublishedKey } | { readonly ok: false; readonly reason: string };

/**
 * The published form of a public key, if it can sign assertions: RSA of 2048 bits or
 * more (RS256) or EC on P-256 (ES256). Node re-exports the JWK, so the published
 * members are canonical whatever encoding the key came in (leading zero bytes of a
 * modulus, short EC coordinates).
 */
export function describePublicKey(kid: string, publicKey: KeyObject): KeyDescription {
  const alg = algorithmFor(publicKey);
  if (typeof alg !== 'string') return { ok: false, reason: alg.reason };
  const exported = publicKey.export({ format: 'jwk' });
  const jwk: PublicJwk =
    alg === 'RS256'
      ? { kty: 'RSA', use: 'sig', alg, kid, n: member(exported, 'n'), e: member(exported, 'e') }
      : { kty: 'EC', use: 'sig', alg, kid, crv: 'P-256', x: member(exported, 'x'), y: member(exported, 'y') };
  return { ok: true, key: Object.freeze({ kid, alg, jwk: Object.freeze(jwk), publicKey }) };
}

/** A public key from JWK members (base64url strings), or the reason it is not one. */
export function publicKeyFromJwk(jwk: NodeJwk): KeyObject | { readonly reason: string } {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    return { reason: `the key material is not a valid public key (${error instanceof Error ? error.message : 'unknown error'})` };
  }
}

function algorithmFor(publicKey: KeyObject): AssertionAlgorithm | { readonly reason: string } {
  const details = publicKey.asymmetricKeyDetails ?? {};
  switch (publicKey.asymmetricKeyType) {
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      return bits >= MIN_RSA_BITS ? 'RS256' : { reason: `an RSA key of ${bits} bits is too small to sign assertions (at least ${MIN_RSA_BITS} bits)` };
    }
    case 'ec':
      return details.namedCurve === 'prime256v1'
        ? 'ES256'
        : { reason: `an EC key on curve ${details.namedCurve ?? 'unknown'} cannot sign assertions: only P-256 (ES256) is supported` };
    default:
      return { reason: `a ${publicKey.asymmetricKeyType ?? 'non-asymmetric'} key cannot sign assertions: use RSA (RS256) or EC P-256 (ES256)` };
  }
}

function member(jwk: NodeJwk, name: 'n' | 'e' | 'x' | 'y'): string {
  const value = jwk[name];
  if (typeof value !== 'string') throw new Error(`exported JWK lacks ${name}`);
  return value;
}
