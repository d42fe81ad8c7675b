import type { RevocationRead, RevocationSource } from '../../src/revocation/revocationSource';
import type { RevocationRule } from '../../src/revocation/revocationRule';

/** The store an app would keep rules in, in memory: versioned, and able to fail or hang on demand. */
export class MemoryRevocationSource implements RevocationSource {
  private rules: RevocationRule[] = [];
  private version = 0;
  reads = 0;
  mode: 'up' | 'down' | 'hung' = 'up';

  set(...rules: RevocationRule[]): void {
    this.rules = rules;
    this.version += 1;
  }

  add(rule: RevocationRule): void {
    this.set(...this.rules, rule);
  }

  /** Replaces the rules with anything, well-formed or not. */
  setRaw(rules: unknown): void {
    this.rules = rules as RevocationRule[];
    this.version += 1;
  }

  read(knownVersion: string | undefined): Promise<RevocationRead> {
    this.reads += 1;
    if (this.mode === 'down') return Promise.reject(new Error('store unreachable'));
    if (this.mode === 'hung') return new Promise(() => undefined);
    const version = String(this.version);
    return Promise.resolve(knownVersion === version ? { changed: false } : { changed: true, version, rules: this.rules });
  }
}
