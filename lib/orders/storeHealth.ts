export type StoreHealthState =
  /** The last store call within the window got an answer. */
  | 'answering'
  /** The last store call within the window failed (timeout, unreachable, 5xx, throttled, refused). */
  | 'not_answering'
  /** No store call within the window: health never calls the store itself. */
  | 'unknown';

/** What the store's own traffic says about it, kept in memory; a health probe reads it and never calls the store. */
export interface StoreHealth {
  answered(): void;
  failed(): void;
  state(): StoreHealthState;
}

/** Outcomes older than this say nothing about the store now. */
export const STORE_HEALTH_WINDOW_MS = 5 * 60_000;

export function createStoreHealth(now: () => number = Date.now, windowMs = STORE_HEALTH_WINDOW_MS): StoreHealth {
  let last: { readonly ok: boolean; readonly at: number } | undefined;
  return {
    answered() {
      last = { ok: true, at: now() };
    },
    failed() {
      last = { ok: false, at: now() };
    },
    state() {
      if (!last || now() - last.at > windowMs) return 'unknown';
      return last.ok ? 'answering' : 'not_answering';
    },
  };
}
