import { buildRevocationIndex, type RevocationIndex } from './revocationIndex';
import { REVOCATION_RULE_KINDS, type RevocationRule, type RevocationSubject } from './revocationRule';
import type { RevocationSource } from './revocationSource';

export interface RevocationListOptions {
  readonly source: RevocationSource;
  /** Seconds between two reads of the source (each one cheap and conditional); default 5. */
  readonly refreshIntervalSeconds?: number;
  /** How long the last rules read keep applying while the source cannot be read; default 300. */
  readonly maxStalenessSeconds?: number;
  /**
   * Past maxStalenessSeconds without a read, let verified tokens through instead of
   * answering 503. Off by default: an operator chooses it explicitly.
   */
  readonly failOpen?: boolean;
  /**
   * How far the issuer back-dates `iat`: Entra sets iat (and nbf) five minutes before it
   * issues a token, to absorb clock skew. An issued-before rule covers a token when iat plus
   * this is before the cut-off, so a token fetched just after a rotation is not refused for
   * five minutes. Default 300; 0 compares iat as it is.
   */
  readonly issuedAtBackdateSeconds?: number;
  /** One read's deadline: a hung store never holds requests longer; default 3. */
  readonly readTimeoutSeconds?: number;
  /** Milliseconds since the epoch; default Date.now. */
  readonly now?: () => number;
  readonly events?: RevocationEvents;
}

/** What the list reports; a throwing listener is ignored. */
export interface RevocationEvents {
  /** A read succeeded; `changed` when it brought a new rule set. */
  onRefreshed?(event: { readonly changed: boolean; readonly version: string | undefined; readonly rules: number }): void;
  /** A read failed (or brought rules that are not well-formed); the last rules keep applying within the bound. */
  onRefreshFailed?(event: { readonly error: unknown; readonly ageSeconds: number | undefined }): void;
}

export type RevocationVerdict =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'revoked' }
  /** No rules younger than the staleness bound, and the list fails closed. */
  | { readonly kind: 'unavailable'; readonly retryAfterSeconds: number };

export type RevocationState =
  /** Never read yet, or the first read is under way. */
  | 'not_loaded'
  /** The last read succeeded. */
  | 'current'
  /** The last read failed; the rules read before still apply (younger than the bound). */
  | 'stale'
  /** No rules younger than the bound: requests are refused with 503 (or let through when failing open). */
  | 'unavailable';

/** For /api/health: never reads the source. */
export interface RevocationStatus {
  readonly state: RevocationState;
  /** Seconds since the last successful read; absent before the first. */
  readonly ageSeconds?: number;
  readonly rules?: number;
  readonly failOpen: boolean;
}

export interface RevocationList {
  /** The verdict for a verified token: synchronous while the rules are fresh, else after the (shared) refresh. */
  check(token: RevocationSubject): RevocationVerdict | Promise<RevocationVerdict>;
  /** Reads the source now (joining a read under way); never rejects. For startup. */
  warmUp(): Promise<void>;
  status(): RevocationStatus;
}

const ALLOWED: RevocationVerdict = Object.freeze({ kind: 'allowed' });
const REVOKED: RevocationVerdict = Object.freeze({ kind: 'revoked' });

/**
 * The deny list an app passes to createEntraAuth (`revocation`). It keeps the rules in
 * memory as an index and reads the source at most once per interval, one read at a time
 * however many requests are waiting. A request that finds the rules older than the
 * interval waits for that read, so a rule written to the store applies on every instance
 * within the interval plus one read. When reads fail, the last rules keep applying until
 * they are older than maxStalenessSeconds, and reads are retried once per interval;
 * then the list fails closed (503 with Retry-After) unless `failOpen`.
 */
export function createRevocationList(options: RevocationListOptions): RevocationList {
  const { source } = options;
  const now = options.now ?? Date.now;
  const intervalMs = seconds('refreshIntervalSeconds', options.refreshIntervalSeconds ?? 5) * 1000;
  const maxStalenessMs = seconds('maxStalenessSeconds', options.maxStalenessSeconds ?? 300) * 1000;
  const timeoutMs = seconds('readTimeoutSeconds', options.readTimeoutSeconds ?? 3) * 1000;
  if (maxStalenessMs < intervalMs) throw new TypeError('maxStalenessSeconds must be at least refreshIntervalSeconds');
  const failOpen = options.failOpen ?? false;
  const backdate = options.issuedAtBackdateSeconds ?? 300;
  if (!Number.isFinite(backdate) || backdate < 0) throw new TypeError('issuedAtBackdateSeconds must be zero or a positive number of seconds');
  const issuedAtBackdateMs = backdate * 1000;
  const retryAfterSeconds = Math.max(1, Math.ceil(intervalMs / 1000));
  const unavailable: RevocationVerdict = Object.freeze({ kind: 'unavailable', retryAfterSeconds });

  let index: RevocationIndex | undefined;
  let version: string | undefined;
  /** When the last successful read started. */
  let loadedAt: number | undefined;
  /** Last read attempt, successful or not. */
  let attemptedAt: number | undefined;
  let lastFailed = false;
  let inflight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inflight ??= readOnce().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function readOnce(): Promise<void> {
    // The rules are as old as the read's start, not its end: a rule written during a slow read may be missing.
    const started = now();
    attemptedAt = started;
    try {
      const read = await withTimeout(source.read(version), timeoutMs);
      if (read.changed) {
        index = buildRevocationIndex(checkedRules(read.rules), { issuedAtBackdateMs });
        version = read.version;
      }
      loadedAt = started;
      lastFailed = false;
      notify(() => {
        options.events?.onRefreshed?.({ changed: read.changed, version, rules: index?.size ?? 0 });
      });
    } catch (error) {
      lastFailed = true;
      notify(() => {
        options.events?.onRefreshFailed?.({ error, ageSeconds: ageSeconds() });
      });
    }
  }

  function verdict(token: RevocationSubject, at: number): RevocationVerdict {
    if (index !== undefined && loadedAt !== undefined && at - loadedAt <= maxStalenessMs) return index.revokes(token, at) ? REVOKED : ALLOWED;
    return failOpen ? ALLOWED : unavailable;
  }

  function ageSeconds(): number | undefined {
    return loadedAt === undefined ? undefined : Math.max(0, Math.floor((now() - loadedAt) / 1000));
  }

  return {
    check(token) {
      const at = now();
      if (loadedAt !== undefined && at - loadedAt < intervalMs) return verdict(token, at);
      // A read failed within the interval: keep to the last rules (within the bound) rather than hammer the store.
      if (lastFailed && attemptedAt !== undefined && at - attemptedAt < intervalMs && inflight === undefined) return verdict(token, at);
      return refresh().then(() => verdict(token, now()));
    },
    warmUp: refresh,
    status() {
      // Before the first read has settled (at startup, the warm-up under way), the rules are not loaded yet rather than unavailable.
      if (attemptedAt === undefined || (loadedAt === undefined && !lastFailed)) return { state: 'not_loaded', failOpen };
      const age = ageSeconds();
      const fresh = loadedAt !== undefined && now() - loadedAt <= maxStalenessMs;
      const state: RevocationState = !fresh ? 'unavailable' : lastFailed ? 'stale' : 'current';
      return { state, ...(age !== undefined && { ageSeconds: age }), ...(index && { rules: index.size }), failOpen };
    },
  };
}

function seconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number of seconds`);
  return value;
}

function notify(send: () => void): void {
  try {
    send();
  } catch {
    // A listener must never fail a refresh.
  }
}

class RevocationReadTimeout extends Error {
  constructor(ms: number) {
    super(`the revocation source did not answer within ${ms} ms`);
    this.name = 'RevocationReadTimeout';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new RevocationReadTimeout(ms)); }, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => { clearTimeout(timer); });
}

/**
 * The rules as the index needs them: a rule set with one malformed rule is refused as a
 * whole (a failed read), never half applied. GUIDs are lower-cased, as verified tokens carry them.
 */
function checkedRules(rules: unknown): RevocationRule[] {
  if (!Array.isArray(rules)) throw new TypeError('the revocation source returned rules that are not an array');
  return (rules as unknown[]).map((raw, at) => {
    const bad = (why: string) => new TypeError(`revocation rule ${at}: ${why}`);
    if (raw === null || typeof raw !== 'object') throw bad('not an object');
    const rule: Record<string, unknown> = { ...raw };
    const kind = rule.kind;
    if (!REVOCATION_RULE_KINDS.includes(kind as RevocationRule['kind'])) throw bad('unknown kind');
    if (!Number.isFinite(rule.expiresAt)) throw bad('expiresAt must be a finite time');
    const issuedBefore = rule.issuedBefore;
    if (kind === 'tenant' ? !Number.isFinite(issuedBefore) : issuedBefore !== undefined && !Number.isFinite(issuedBefore)) throw bad('issuedBefore must be a finite time');
    const required = kind === 'token' ? ['uti'] : kind === 'tenant' ? ['tenantId'] : ['tenantId', kind === 'clientApp' ? 'clientAppId' : 'objectId'];
    for (const field of required) {
      const value = rule[field];
      if (typeof value !== 'string' || value === '') throw bad(`${field} must be a non-empty string`);
      if (field !== 'uti') rule[field] = value.toLowerCase();
    }
    return rule as unknown as RevocationRule;
  });
}
