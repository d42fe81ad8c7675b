import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { SecondSightAdmission } from './secondSightAdmission';
import type { VerifiedAccessToken } from './verifiedAccessToken';

export interface VerifiedTokenCacheOptions {
  /** Entries remembered at most. */
  readonly maxEntries: number;
  /** Estimated heap the entries may hold together (see `entryBytes`). */
  readonly maxBytes: number;
  /** An entry lives until its token's `exp` plus this skew, the moment the verifier would refuse it. */
  readonly clockSkewSeconds: number;
  /** No entry lives longer than this (AUTH_MAX_TOKEN_LIFETIME_SECONDS), whatever its token's `exp`. */
  readonly maxLifetimeSeconds: number;
  /** Milliseconds since the epoch: the verifier's clock, so expiry agrees with its lifetime check. */
  readonly now: () => number;
}

/** A token's SHA-256 digest: what the cache is keyed by, so no credential sits in the heap. */
export type TokenDigest = string & { readonly __brand: 'TokenDigest' };

/**
 * The heap charged for one entry, from the token's length: its payload's JSON size
 * (3/4 of the base64url) times 1.75, since parsed claims with long arrays (groups,
 * roles) take up to about that, plus the digest key, result object and LRU bookkeeping.
 * `npm run bench` (memory) prints the charge beside what the heap really grows by.
 */
export function entryBytes(tokenLength: number): number {
  return ENTRY_OVERHEAD_BYTES + Math.ceil((tokenLength * 3 * 7) / 16);
}

const ENTRY_OVERHEAD_BYTES = 256;

/**
 * Remembers tokens that passed full verification, keyed by the SHA-256 digest of the
 * token, never the token itself: a heap dump shows no bearer credentials. Daemon
 * callers reuse one client_credentials token for up to ~90 minutes, so most requests
 * hit this and skip the RSA verification. Each entry expires with its token (`exp`
 * plus skew); the cache is bounded by entry count and by estimated bytes, so large
 * tokens cannot make it hold more memory than configured. Entries are only a shortcut
 * past the signature: key presence is re-checked by the verifier on every hit.
 * A token is stored at its second full verification, and looked up only once it had
 * a first (`seenBefore`, secondSightAdmission.ts).
 */
export class VerifiedTokenCache {
  /**
   * Built at the first store: lru-cache fills arrays for all `maxEntries` up front
   * (about 1.9 ms and 0.45 MB at 10,000 here, with its first store), which an
   * instance that never sees a token twice need not pay, at startup or ever.
   */
  private entries: LRUCache<TokenDigest, VerifiedAccessToken> | undefined;
  private readonly admission: SecondSightAdmission;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    if (!(options.maxEntries >= 1) || !(options.maxBytes >= 1)) throw new TypeError('VerifiedTokenCache needs maxEntries and maxBytes of at least 1');
    if (!(options.maxLifetimeSeconds >= 1)) throw new TypeError('VerifiedTokenCache needs maxLifetimeSeconds of at least 1');
    this.admission = new SecondSightAdmission(options.maxEntries);
  }

  digest(token: string): TokenDigest {
    // One-shot (no Hash object); a string goes in as UTF-8, so distinct strings never share a digest; 32 bytes out as 32 one-byte characters.
    return hash('sha256', token, 'binary') as TokenDigest;
  }

  get(digest: TokenDigest): VerifiedAccessToken | undefined {
    return this.entries?.get(digest);
  }

  /** Whether `token` passed full verification before: only then can it be here, or be stored. */
  seenBefore(token: string): boolean {
    return this.admission.seenBefore(token);
  }

  /** Records that `token` passed full verification, for `seenBefore`. */
  sighted(token: string): void {
    this.admission.record(token);
  }

  /** Remembers `verified` until its `exp` plus skew, and never longer than maxLifetimeSeconds; a token already past that is not stored. */
  set(digest: TokenDigest, verified: VerifiedAccessToken, tokenLength: number): void {
    // lru-cache counts an entry stale once more than `ttl` ms have passed, so this is stale from exactly (exp + skew).
    // The cap keeps a far-future exp (should one ever pass the verifier) from living in the cache for years.
    const ttl = Math.min((verified.claims.exp + this.options.clockSkewSeconds) * 1000 - this.options.now() - 1, this.options.maxLifetimeSeconds * 1000);
    if (ttl < 1) return;
    this.entries ??= this.createEntries();
    this.entries.set(digest, verified, { ttl, size: entryBytes(tokenLength) });
  }

  delete(digest: TokenDigest): void {
    this.entries?.delete(digest);
  }

  clear(): void {
    this.entries?.clear();
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The estimated bytes the entries hold, by `entryBytes`. */
  get bytes(): number {
    return this.entries?.calculatedSize ?? 0;
  }

  private createEntries(): LRUCache<TokenDigest, VerifiedAccessToken> {
    return new LRUCache({
      max: this.options.maxEntries,
      maxSize: this.options.maxBytes,
      // Read the injected clock on every check (lru-cache otherwise caches "now" for 1 ms with a timer).
      perf: { now: this.options.now },
      ttlResolution: 0,
      // Expired entries are refused on read; memory is bounded by the limits above, so no purge timers.
      ttlAutopurge: false,
    });
  }
}
