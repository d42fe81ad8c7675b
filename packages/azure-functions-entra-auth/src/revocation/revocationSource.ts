import type { RevocationRule } from './revocationRule';

/**
 * Where the rules live; the app implements it over its store. `read` is the refresh:
 * one cheap conditional read (a version row, an ETag) that says the rules are unchanged
 * since `knownVersion`, or returns them all with their new version. It rejects when the
 * store cannot be read; the list then keeps the last rules for a bounded time.
 */
export interface RevocationSource {
  read(knownVersion: string | undefined): Promise<RevocationRead>;
}

export type RevocationRead =
  | { readonly changed: false }
  | {
      readonly changed: true;
      /** Opaque; passed back to the next read. */
      readonly version: string;
      readonly rules: readonly RevocationRule[];
    };
