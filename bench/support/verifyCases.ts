import { verify as cryptoVerify, webcrypto } from 'node:crypto';
import { jwtVerify, type JWTVerifyOptions } from 'jose';
import type { MeasuredCase, Op, PreparedBatch } from './measure';
import { freshCopy, type VerifyFixture } from './verifyFixture';

/**
 * The operations compared, from the verifier down to the bare RSA check, all on the
 * same tokens and the same key. Token strings are fresh copies per batch, as each
 * request would bring its own string.
 */
export type VerifyCaseId = 'firstSeen' | 'firstSeenUncached' | 'repeat' | 'repeatFresh' | 'jwtVerify' | 'subtle' | 'cryptoSync' | 'cryptoCallback';

/** Copies of the same token held per batch for `repeatFresh`; bounds its memory. */
const MAX_FRESH_REPEATS = 20_000;
/** No limit but a sane one for the cache-hit path. */
const MAX_REPEATS = 2_000_000;

export function createVerifyCases(fixture: VerifyFixture): Record<VerifyCaseId, MeasuredCase> {
  const { tokens, signingInputs, signatures, cryptoKey, keyObject, settings } = fixture;
  const sample = tokens[0];
  if (sample === undefined) throw new Error('the fixture holds no tokens');
  const repeatVerifier = fixture.newVerifier();
  const joseOptions: JWTVerifyOptions = {
    algorithms: ['RS256'],
    issuer: fixture.issuer,
    audience: [...settings.audiences],
    clockTolerance: settings.clockSkewSeconds,
  };

  return {
    firstSeen: distinctTokens('firstSeen', 'verifier.verify, first-seen token', tokens.length, (size, take) => {
      const verifier = fixture.newVerifier(); // empty cache: every token misses
      const batch = take(tokens).map(freshCopy);
      return { size, op: (i) => verifier.verify(batch[i] as string) };
    }),
    // The checks alone: what a first-seen token would cost if nothing were remembered (no digest, no entry).
    firstSeenUncached: distinctTokens('firstSeenUncached', 'verifier.verify, first-seen token, cache off', tokens.length, (size, take) => {
      const verifier = fixture.newVerifier(0);
      const batch = take(tokens).map(freshCopy);
      return { size, op: (i) => verifier.verify(batch[i] as string) };
    }),
    repeat: {
      id: 'repeat',
      label: 'verifier.verify, repeat token (same string)',
      maxBatch: MAX_REPEATS,
      async prepare(size) {
        for (let sighting = 0; sighting < 2; sighting++) await repeatVerifier.verify(sample); // cached from the second verification on
        return { size, op: () => repeatVerifier.verify(sample) };
      },
    },
    repeatFresh: {
      id: 'repeatFresh',
      label: 'verifier.verify, repeat token (new string each)',
      maxBatch: MAX_FRESH_REPEATS,
      async prepare(size) {
        for (let sighting = 0; sighting < 2; sighting++) await repeatVerifier.verify(sample);
        const batch = Array.from({ length: size }, () => freshCopy(sample));
        return { size, op: (i) => repeatVerifier.verify(batch[i] as string) };
      },
    },
    jwtVerify: distinctTokens('jwtVerify', 'jose.jwtVerify (same CryptoKey, RS256/iss/aud)', tokens.length, (size, take) => {
      const batch = take(tokens).map(freshCopy);
      return { size, op: (i) => jwtVerify(batch[i] as string, cryptoKey, joseOptions) };
    }),
    subtle: distinctTokens('subtle', 'crypto.subtle.verify (what jose calls)', tokens.length, (size, take) => {
      const inputs = take(signingInputs);
      const sigs = take(signatures);
      const algorithm = { name: 'RSASSA-PKCS1-v1_5' };
      return { size, op: (i) => webcrypto.subtle.verify(algorithm, cryptoKey, sigs[i] as Buffer, inputs[i] as Buffer).then(mustBeTrue) };
    }),
    cryptoSync: distinctTokens('cryptoSync', 'crypto.verify, KeyObject, sync (floor)', tokens.length, (size, take) => {
      const inputs = take(signingInputs);
      const sigs = take(signatures);
      const op: Op = (i) => {
        mustBeTrue(cryptoVerify('sha256', inputs[i] as Buffer, keyObject, sigs[i] as Buffer));
        return undefined;
      };
      return { size, op };
    }),
    cryptoCallback: distinctTokens('cryptoCallback', 'crypto.verify, KeyObject, callback (threadpool)', tokens.length, (size, take) => {
      const inputs = take(signingInputs);
      const sigs = take(signatures);
      const op: Op = (i) =>
        new Promise<void>((resolve, reject) => {
          cryptoVerify('sha256', inputs[i] as Buffer, keyObject, sigs[i] as Buffer, (error, ok) => {
            if (error) reject(error);
            else if (ok) resolve();
            else reject(new Error('signature did not verify'));
          });
        });
      return { size, op };
    }),
  };
}

/** Picks a batch's inputs from a pool indexed like the fixture's tokens. */
export type Take = <T>(pool: readonly T[]) => T[];

/** A case over distinct tokens: each batch takes the next `size` of them, wrapping around the pool. */
export function distinctTokens(id: string, label: string, poolSize: number, build: (size: number, take: Take) => PreparedBatch): MeasuredCase {
  let offset = 0;
  return {
    id,
    label,
    maxBatch: poolSize,
    prepare(size) {
      const start = offset;
      offset = (offset + size) % poolSize;
      const take: Take = (pool) => Array.from({ length: size }, (_, i) => pool[(start + i) % poolSize] as (typeof pool)[number]);
      return Promise.resolve(build(size, take));
    },
  };
}

function mustBeTrue(ok: boolean): void {
  if (!ok) throw new Error('signature did not verify');
}
