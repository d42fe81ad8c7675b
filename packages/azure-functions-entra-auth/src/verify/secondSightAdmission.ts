/** Slots the table gets at least and at most, whatever the cache size: 4 KiB to 4 MiB of fingerprints. */
const MIN_SLOT_BITS = 10;
const MAX_SLOT_BITS = 20;

/** Where a token's sighting is read from, counted from its end: the slot's 4 characters, then the fingerprint's 4. */
const SLOT_FROM_END = 9;
const FINGERPRINT_FROM_END = 5;

/**
 * The verified-token cache's admission rule: a token is remembered on its second
 * full verification, not its first (the "doorkeeper" of TinyLFU). A daemon reuses
 * one token for up to ~90 minutes, so it pays one more RSA check and hits from its
 * third request on; a token presented once (a flood of distinct tokens, a caller
 * that calls once) costs no entry, so it neither churns the cache nor evicts the
 * tokens that repeat.
 *
 * A sighting is read from the token's last characters, the low bytes of its RS256
 * signature, which are uniformly random for tokens Entra signed: so a first-seen
 * token needs no SHA-256 digest at all (only a token seen before can be in the
 * cache, and only that one is digested and looked up). One 4-character fingerprint per
 * slot of a fixed table: nothing is allocated per token, and no more of a token is
 * kept than 8 characters of its signature. Only tokens that passed full verification
 * are recorded. Sightings decide what is looked up and remembered, never what is
 * accepted: a fingerprint collision looks a token up (and misses) or remembers it a
 * sighting early; an overwritten slot skips the cache once and verifies in full.
 */
export class SecondSightAdmission {
  private readonly fingerprints: Int32Array;
  private readonly shift: number;

  /** `slots` is rounded up to a power of two from 2^10 to 2^20; size it at about the cache's entry count. */
  constructor(slots: number) {
    if (!(slots >= 1)) throw new TypeError('SecondSightAdmission needs at least 1 slot');
    const bits = Math.min(MAX_SLOT_BITS, Math.max(MIN_SLOT_BITS, Math.ceil(Math.log2(slots))));
    this.fingerprints = new Int32Array(1 << bits);
    this.shift = 32 - bits;
  }

  /** Whether a token ending as this one does passed full verification before (and its slot was not taken since). */
  seenBefore(token: string): boolean {
    return token.length > SLOT_FROM_END && this.fingerprints[this.slot(token)] === fingerprint(token);
  }

  /** Records a token that passed full verification. */
  record(token: string): void {
    if (token.length > SLOT_FROM_END) this.fingerprints[this.slot(token)] = fingerprint(token);
  }

  private slot(token: string): number {
    // Fibonacci hashing: base64url characters carry 6 bits in 8, so the top bits of a multiply spread them over the table.
    return Math.imul(pack(token, token.length - SLOT_FROM_END), 0x9e3779b1) >>> this.shift;
  }
}

/** Never 0, which marks an empty slot. */
function fingerprint(token: string): number {
  return pack(token, token.length - FINGERPRINT_FROM_END) | 1;
}

function pack(token: string, at: number): number {
  return token.charCodeAt(at) | (token.charCodeAt(at + 1) << 8) | (token.charCodeAt(at + 2) << 16) | (token.charCodeAt(at + 3) << 24);
}
