import { ColdLoadError, RefreshingValue, type RefreshReason, type RefreshingValueOptions } from '../../src/cache/refreshingValue';

/** A loader the test settles by hand: each call waits until resolve() or reject(). */
class ManualLoader<T> {
  calls = 0;
  private readonly pending: { resolve: (value: T) => void; reject: (error: unknown) => void }[] = [];

  readonly load = (): Promise<T> => {
    this.calls++;
    return new Promise<T>((resolve, reject) => this.pending.push({ resolve, reject }));
  };

  get waiting(): number {
    return this.pending.length;
  }

  resolve(value: T): void {
    this.next().resolve(value);
  }

  reject(error: unknown): void {
    this.next().reject(error);
  }

  private next(): { resolve: (value: T) => void; reject: (error: unknown) => void } {
    const next = this.pending.shift();
    if (!next) throw new Error('no load is waiting');
    return next;
  }
}

/** Lets settled promises run their callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const PENDING = Symbol('pending');

/** The promise's value if it settles within a macrotask, else PENDING: shows whether a call waited on a load. */
async function settledValue<T>(promise: Promise<T>): Promise<T | typeof PENDING> {
  return Promise.race([promise, settle().then((): typeof PENDING => PENDING)]);
}

const TTL = 60_000;
const MIN_INTERVAL = 10_000;
const RETRY_AFTER = 5_000;

function setup(overrides: Partial<RefreshingValueOptions<string>> = {}) {
  const clock = { now: 1_700_000_000_000 };
  const loader = new ManualLoader<string>();
  const refreshed: [string, RefreshReason][] = [];
  const fallbacks: [unknown, RefreshReason][] = [];
  const value = new RefreshingValue<string>({
    load: loader.load,
    ttlMs: TTL,
    minRefreshIntervalMs: MIN_INTERVAL,
    retryAfterFailureMs: RETRY_AFTER,
    now: () => clock.now,
    onRefreshed: (data, reason) => refreshed.push([data, reason]),
    onFallback: (error, reason) => fallbacks.push([error, reason]),
    ...overrides,
  });
  return { clock, loader, refreshed, fallbacks, value };
}

/** A value loaded with 'v1' at the clock's start. */
async function loaded(overrides: Partial<RefreshingValueOptions<string>> = {}) {
  const s = setup(overrides);
  const first = s.value.get();
  s.loader.resolve('v1');
  await expect(first).resolves.toBe('v1');
  return s;
}

async function coldLoadError(promise: Promise<unknown>): Promise<ColdLoadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ColdLoadError)) throw new Error(`expected a ColdLoadError, got ${String(error)}`);
  return error;
}

describe('RefreshingValue: single flight', () => {
  it('shares one load among many concurrent cold callers', async () => {
    const { value, loader, refreshed } = setup();
    const callers = Array.from({ length: 100 }, () => value.get());
    expect(loader.calls).toBe(1);
    loader.resolve('v1');
    await expect(Promise.all(callers)).resolves.toEqual(Array.from({ length: 100 }, () => 'v1'));
    expect(loader.calls).toBe(1);
    expect(refreshed).toEqual([['v1', 'initial']]);
  });

  it('lets a cold get() join a forced refresh already in flight', async () => {
    const { value, loader, refreshed } = setup();
    const forced = value.refresh();
    const getter = value.get();
    expect(loader.calls).toBe(1);
    loader.resolve('v1');
    await expect(Promise.all([forced, getter])).resolves.toEqual(['v1', 'v1']);
    expect(refreshed).toEqual([['v1', 'forced']]);
  });

  it('serves the cached value without loading while it is fresh', async () => {
    const { value, loader, clock } = await loaded();
    clock.now += TTL - 1;
    await expect(value.get()).resolves.toBe('v1');
    expect(loader.calls).toBe(1);
  });

  it('peek() returns the cached value and never loads', async () => {
    const { value, loader } = setup();
    expect(value.peek()).toBeUndefined();
    expect(loader.calls).toBe(0);
    const first = value.get();
    loader.resolve('v1');
    await first;
    expect(value.peek()).toBe('v1');
    expect(loader.calls).toBe(1);
  });
});

describe('RefreshingValue: expiry', () => {
  it('once stale, serves the old value at once and refreshes in the background, one load for all callers', async () => {
    const { value, loader, clock, refreshed } = await loaded();
    clock.now += TTL;
    expect(await settledValue(value.get())).toBe('v1');
    expect(loader.calls).toBe(2);
    expect(await settledValue(value.get())).toBe('v1');
    expect(loader.calls).toBe(2);

    loader.resolve('v2');
    await settle();
    await expect(value.get()).resolves.toBe('v2');
    expect(refreshed).toEqual([
      ['v1', 'initial'],
      ['v2', 'expired'],
    ]);
    // Fresh again from the time of the refresh.
    clock.now += TTL - 1;
    await value.get();
    expect(loader.calls).toBe(2);
  });

  it('keeps serving the last good value when a background refresh fails, and reports it through onFallback', async () => {
    const { value, loader, clock, fallbacks } = await loaded();
    const outage = new Error('endpoint down');
    clock.now += TTL;
    await expect(value.get()).resolves.toBe('v1');
    loader.reject(outage);
    await settle();
    expect(fallbacks).toEqual([[outage, 'expired']]);
    await expect(value.get()).resolves.toBe('v1');
    expect(value.peek()).toBe('v1');
  });

  it('after a failed refresh, tries again only once minRefreshIntervalMs has passed', async () => {
    const { value, loader, clock } = await loaded();
    clock.now += TTL;
    await value.get();
    loader.reject(new Error('endpoint down'));
    await settle();

    clock.now += MIN_INTERVAL - 1;
    await expect(value.get()).resolves.toBe('v1');
    expect(loader.calls).toBe(2);

    clock.now += 1;
    await expect(value.get()).resolves.toBe('v1');
    expect(loader.calls).toBe(3);
    loader.resolve('v3');
    await settle();
    await expect(value.get()).resolves.toBe('v3');
  });
});

describe('RefreshingValue: cold failures', () => {
  it('rejects every waiting caller with ColdLoadError carrying the cause and the full retry delay', async () => {
    const { value, loader, fallbacks } = setup();
    const outage = new Error('endpoint down');
    const callers = [value.get(), value.get()];
    loader.reject(outage);
    for (const caller of callers) {
      const error = await coldLoadError(caller);
      expect(error.retryAfterMs).toBe(RETRY_AFTER);
      expect(error.cause).toBe(outage);
      expect(error.name).toBe('ColdLoadError');
    }
    expect(fallbacks).toEqual([]);
  });

  it('fails fast within the retry window, counting down, without loading', async () => {
    const { value, loader, clock } = setup();
    const outage = new Error('endpoint down');
    const first = value.get();
    loader.reject(outage);
    await coldLoadError(first);

    clock.now += 2_000;
    const early = await coldLoadError(value.get());
    expect(early.retryAfterMs).toBe(RETRY_AFTER - 2_000);
    expect(early.cause).toBe(outage);

    clock.now += RETRY_AFTER - 2_000 - 1;
    expect((await coldLoadError(value.get())).retryAfterMs).toBe(1);
    expect(loader.calls).toBe(1);
  });

  it('loads again once the retry window has passed, and recovers', async () => {
    const { value, loader, clock, refreshed } = setup();
    const first = value.get();
    loader.reject(new Error('endpoint down'));
    await coldLoadError(first);

    clock.now += RETRY_AFTER;
    const second = value.get();
    expect(loader.calls).toBe(2);
    loader.resolve('v1');
    await expect(second).resolves.toBe('v1');
    expect(refreshed).toEqual([['v1', 'initial']]);
  });

  it('a forced refresh with nothing cached resolves to undefined instead of throwing when the load fails', async () => {
    const { value, loader } = setup();
    const forced = value.refresh();
    loader.reject(new Error('endpoint down'));
    await expect(forced).resolves.toBeUndefined();
  });
});

describe('RefreshingValue: forced refresh', () => {
  it('is rate-limited to one load per minRefreshIntervalMs, the initial load not counting', async () => {
    const { value, loader, clock } = await loaded();
    // Right after the first load, a forced refresh still runs (an emergency key rollover).
    const first = Array.from({ length: 50 }, () => value.refresh());
    expect(loader.calls).toBe(2);
    loader.resolve('v2');
    await expect(Promise.all(first)).resolves.toEqual(Array.from({ length: 50 }, () => 'v2'));

    clock.now += MIN_INTERVAL - 1;
    await expect(value.refresh()).resolves.toBe('v2');
    expect(loader.calls).toBe(2);

    clock.now += 1;
    const second = value.refresh();
    expect(loader.calls).toBe(3);
    loader.resolve('v3');
    await expect(second).resolves.toBe('v3');
  });

  it('reports the reason forced', async () => {
    const { value, loader, clock, refreshed } = await loaded();
    clock.now += MIN_INTERVAL;
    const forced = value.refresh();
    loader.resolve('v2');
    await forced;
    expect(refreshed).toEqual([
      ['v1', 'initial'],
      ['v2', 'forced'],
    ]);
  });

  it('falls back to the cached value, without throwing, when the load fails', async () => {
    const { value, loader, clock, fallbacks } = await loaded();
    const outage = new Error('endpoint down');
    clock.now += MIN_INTERVAL;
    const forced = value.refresh();
    loader.reject(outage);
    await expect(forced).resolves.toBe('v1');
    expect(fallbacks).toEqual([[outage, 'forced']]);
    await expect(value.get()).resolves.toBe('v1');
  });

  it('shares one rate limit with expiry: a refresh just before expiry defers the background reload', async () => {
    const { value, loader, clock } = await loaded();
    clock.now += TTL - 5_000;
    const forced = value.refresh();
    loader.reject(new Error('endpoint down'));
    await forced;
    expect(loader.calls).toBe(2);

    clock.now += 5_000; // stale now, but the last attempt was 5 s ago
    await expect(value.get()).resolves.toBe('v1');
    expect(loader.calls).toBe(2);

    clock.now += MIN_INTERVAL - 5_000;
    await expect(value.get()).resolves.toBe('v1');
    expect(loader.calls).toBe(3);
    expect(loader.waiting).toBe(1);
    loader.resolve('v2');
    await settle();
    expect(value.peek()).toBe('v2');
  });
});
