/**
 * Entra signs every token of one key with the same JOSE header, byte for byte, so
 * the header segment repeats across tokens that are otherwise all first-seen.
 * Decoding is a pure function of the segment's text, so the last few decoded
 * headers are remembered by that text and a repeat skips base64url, UTF-8 and JSON
 * work. Only flat headers (every member a string, as Entra's are) are kept, frozen,
 * so a shared entry holds nothing anyone could change. Junk headers can only
 * evict entries: a miss decodes from scratch, as without this.
 */
export class RecentHeaders {
  private readonly entries = new Map<string, Readonly<Record<string, string>>>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('RecentHeaders needs a capacity of at least 1');
  }

  get(segment: string): Readonly<Record<string, unknown>> | undefined {
    return this.entries.get(segment);
  }

  /** Remembers a decoded header if it is flat; returns what the caller should use (the frozen copy when kept). */
  remember(segment: string, header: Record<string, unknown>): Readonly<Record<string, unknown>> {
    if (!Object.values(header).every((value) => typeof value === 'string')) return header;
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    const frozen = Object.freeze(header as Record<string, string>);
    this.entries.set(segment, frozen);
    return frozen;
  }

  get size(): number {
    return this.entries.size;
  }
}
