import type { TokenDigest } from './verifiedTokenCache';

/** Slots the table gets at least and at most, whatever the cache size: 4 KiB to 4 MiB of fingerprints. */
const MIN_SLOTS = 1 << 10;
const MAX_SLOTS = 1 << 20;

/**
 * The verified-token cache's admission rule: a token is remembered on its second
 * full verification, not its first (the "doorkeeper" of TinyLFU). A daemon reuses
 * one token for up to ~90 minutes, so it pays one more RSA check and hits from its
 * third request on; a token presented once (a flood of distinct tokens, a caller
 * that calls once) costs no entry, so it neither churns the cache nor evicts the
 * tokens that repeat. With a stream of first-seen tokens, inserting and evicting
 * entries was most of what the cache cost each one.
 *
 * A fixed table of 31-bit fingerprints taken from the digest, one per slot, so it
 * allocates nothing per token and holds no token material beyond 7 digest bytes.
 * Admission only decides what is remembered, after full verification, never what is
 * accepted: a fingerprint collision admits a token one sighting early, an overwritten
 * slot admits it one sighting late, and neither changes an answer.
 */
export class SecondSightAdmission {
  private readonly fingerprints: Int32Array;
  private readonly mask: number;

  /** `slots` is rounded up to a power of two from 2^10 to 2^20; size it at about the cache's entry count. */
  constructor(slots: number) {
    if (!(slots >= 1)) throw new TypeError('SecondSightAdmission needs at least 1 slot');
    const size = Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, 2 ** Math.ceil(Math.log2(slots))));
    this.fingerprints = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Records a verified token's digest; true when it was recorded before (and not overwritten since). */
  admits(digest: TokenDigest): boolean {
    // A digest is 32 one-byte characters of SHA-256: uniform, so any of them index as well as a hash would.
    const slot = (digest.charCodeAt(0) | (digest.charCodeAt(1) << 8) | (digest.charCodeAt(2) << 16)) & this.mask;
    // Never 0, which marks an empty slot.
    const fingerprint = digest.charCodeAt(3) | (digest.charCodeAt(4) << 8) | (digest.charCodeAt(5) << 16) | (digest.charCodeAt(6) << 24) | 1;
    if (this.fingerprints[slot] === fingerprint) return true;
    this.fingerprints[slot] = fingerprint;
    return false;
  }
}
