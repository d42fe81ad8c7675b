import { LRUCache } from 'lru-cache';
import type { VerifiedAccessToken } from './verifiedAccessToken';

/**
 * Remembers tokens that passed full verification, keyed by the exact token string.
 * Daemon callers reuse one client_credentials token for up to ~90 minutes, so most
 * requests hit this and skip the RSA verification. Entries are only a shortcut past
 * the signature: lifetime and key presence are re-checked by the verifier on every hit.
 */
export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, VerifiedAccessToken>;

  constructor(maxEntries: number) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  get(token: string): VerifiedAccessToken | undefined {
    return this.entries.get(token);
  }

  set(token: string, verified: VerifiedAccessToken): void {
    this.entries.set(token, verified);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
