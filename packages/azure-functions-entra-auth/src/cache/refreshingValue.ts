export type RefreshReason = 'initial' | 'expired' | 'forced';

export interface RefreshingValueOptions<T> {
  readonly load: () => Promise<T>;
  /** How long a loaded value counts as fresh; after that it is refreshed in the background while still served. */
  readonly ttlMs: number;
  /**
   * At most one forced refresh per this interval, and at most one attempt per interval
   * after expiry. The first load does not count: a signing key rolled over in an
   * emergency is picked up even right after startup.
   */
  readonly minRefreshIntervalMs: number;
  /** With nothing cached, a failed load is not retried for this long; callers fail fast instead. */
  readonly retryAfterFailureMs: number;
  readonly now: () => number;
  readonly onRefreshed?: (value: T, reason: RefreshReason) => void;
  /** A refresh failed and the last good value keeps being served. */
  readonly onFallback?: (error: unknown, reason: RefreshReason) => void;
}

/** Thrown by `get()` when nothing is cached and loading failed. */
export class ColdLoadError extends Error {
  constructor(
    readonly retryAfterMs: number,
    options: { cause: unknown },
  ) {
    super('no value loaded yet and the last load failed', options);
    this.name = 'ColdLoadError';
  }
}

/**
 * A value loaded from somewhere slow and fallible (a metadata document, a key set):
 * loads are single-flight, so a thousand concurrent cold callers share one; the last
 * good value is served through failures; and loads are rate-limited so that neither
 * expiry nor callers asking for a refresh can hammer the source.
 */
export class RefreshingValue<T> {
  private value: { readonly data: T; readonly loadedAt: number } | undefined;
  private inflight: Promise<T> | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastForcedAt = Number.NEGATIVE_INFINITY;
  private lastFailure: { readonly at: number; readonly error: unknown } | undefined;

  constructor(private readonly options: RefreshingValueOptions<T>) {}

  /** The cached value, without loading. */
  peek(): T | undefined {
    return this.value?.data;
  }

  /**
   * The cached value, refreshing it in the background once stale, as `get()` does;
   * undefined when nothing is loaded yet. Synchronous, so a caller holding a loaded
   * value pays no promise round trip for it.
   */
  current(): T | undefined {
    const { value } = this;
    if (!value) return undefined;
    if (this.options.now() - value.loadedAt >= this.options.ttlMs && this.cooledDown(this.lastAttemptAt)) {
      this.start('expired').catch(() => undefined); // reported through onFallback
    }
    return value.data;
  }

  /** The cached value (refreshing it in the background once stale), or the result of a first load. */
  async get(): Promise<T> {
    const loaded = this.current();
    if (loaded !== undefined) return loaded;
    const failure = this.lastFailure;
    if (!this.inflight && failure) {
      const wait = failure.at + this.options.retryAfterFailureMs - this.options.now();
      if (wait > 0) throw new ColdLoadError(wait, { cause: failure.error });
    }
    try {
      return await (this.inflight ?? this.start('initial'));
    } catch (cause) {
      throw new ColdLoadError(this.options.retryAfterFailureMs, { cause });
    }
  }

  /**
   * Loads again now unless another forced refresh ran within `minRefreshIntervalMs`
   * (then returns the cached value), joining a load already in flight. Never throws.
   */
  async refresh(): Promise<T | undefined> {
    if (this.inflight) return this.inflight.catch(() => this.value?.data);
    if (!this.cooledDown(this.lastForcedAt)) return this.value?.data;
    this.lastForcedAt = this.options.now();
    return this.start('forced').catch(() => this.value?.data);
  }

  private cooledDown(since: number): boolean {
    return !this.inflight && this.options.now() - since >= this.options.minRefreshIntervalMs;
  }

  private start(reason: RefreshReason): Promise<T> {
    const { options } = this;
    this.lastAttemptAt = options.now();
    const attempt = options.load().then(
      (data) => {
        this.value = { data, loadedAt: options.now() };
        this.lastFailure = undefined;
        options.onRefreshed?.(data, reason);
        return data;
      },
      (error: unknown) => {
        this.lastFailure = { at: options.now(), error };
        const stale = this.value;
        if (!stale) throw error;
        options.onFallback?.(error, reason);
        return stale.data;
      },
    );
    this.inflight = attempt.finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
