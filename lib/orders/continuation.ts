import { ORDER_ID } from './order';
import { InvalidContinuationError } from './orderErrors';

/**
 * Paging continuations, opaque to callers (base64url JSON) and bound to a tenant.
 *
 * Why not an HMAC: a key made per process breaks a nextLink followed on another
 * instance after scale-out, and a shared key would be one more secret to provision
 * and rotate. Nothing here needs secrecy: a continuation holds the tenant it was
 * issued to and the last order ID of the page (the store resumes with
 * `RowKey gt <id>` inside the caller's own partition). The partition always comes
 * from the caller's token; the tenant inside the continuation is only compared with
 * it, so a continuation replayed by another tenant, or edited to name one, is a 400
 * and can never select another partition. The resume point must be an order ID
 * (a GUID), so nothing else ever reaches the store's filter. An edited resume point
 * can only move within the caller's own orders.
 */
export interface Continuation {
  readonly tenantId: string;
  /** The last order ID already returned; the next page starts after it. */
  readonly after: string;
}

const MAX_LENGTH = 256;

export function encodeContinuation(continuation: Continuation): string {
  return Buffer.from(JSON.stringify({ t: continuation.tenantId, a: continuation.after }), 'utf8').toString('base64url');
}

/** The resume point of `raw` for `tenantId`, or InvalidContinuationError naming the check that failed. */
export function decodeContinuation(raw: string, tenantId: string): Continuation {
  if (raw.length === 0 || raw.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new InvalidContinuationError('encoding');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidContinuationError('encoding');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidContinuationError('shape');
  const fields = parsed as Record<string, unknown>;
  const { t, a } = fields;
  if (Object.keys(fields).length !== 2 || typeof t !== 'string' || typeof a !== 'string' || !ORDER_ID.test(a)) throw new InvalidContinuationError('shape');
  if (t !== tenantId) throw new InvalidContinuationError('tenant');
  // Re-encoding must give back the same text: no second spelling of one continuation.
  if (encodeContinuation({ tenantId: t, after: a }) !== raw) throw new InvalidContinuationError('encoding');
  return Object.freeze({ tenantId: t, after: a });
}
