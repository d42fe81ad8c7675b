import type { RevocationRule, RevocationSubject } from './revocationRule';

/** One rule as the index keeps it: when it stops applying and which tokens it covers. */
interface Entry {
  readonly expiresAt: number;
  /** Tokens issued strictly before this are covered; Infinity for every token. */
  readonly issuedBefore: number;
}

/** The rules of one rule set, keyed so that a request costs four map lookups whatever their number. */
export interface RevocationIndex {
  /** Whether a non-expired rule covers the token at `now` (ms). */
  revokes(token: RevocationSubject, now: number): boolean;
  /** Rules held (expired ones included until the next rule set). */
  readonly size: number;
}

/**
 * Builds the index once per rule set. Rules are keyed by tenant then app, tenant then oid,
 * uti, and tenant: nested maps rather than joined keys, so a request builds no key string
 * and the claim strings, cached with the verified token, keep their computed hashes. A key
 * with several rules (two operators, two cut-offs) keeps them all, and a lookup checks
 * each one's expiry, so an expired rule stops applying without a rebuild.
 */
export function buildRevocationIndex(rules: readonly RevocationRule[], options: { readonly issuedAtBackdateMs?: number } = {}): RevocationIndex {
  // A token was issued up to the back-dating after its iat: compare iat with the cut-off moved back by it, once, here.
  const backdate = options.issuedAtBackdateMs ?? 0;
  const clientApps = new Map<string, Map<string, Entry[]>>();
  const subjects = new Map<string, Map<string, Entry[]>>();
  const tokens = new Map<string, Entry[]>();
  const tenants = new Map<string, Entry[]>();
  const add = (map: Map<string, Entry[]>, key: string, entry: Entry) => {
    const list = map.get(key);
    if (list) list.push(entry);
    else map.set(key, [entry]);
  };
  const inner = (map: Map<string, Map<string, Entry[]>>, tenantId: string) => {
    let byTenant = map.get(tenantId);
    if (!byTenant) map.set(tenantId, (byTenant = new Map<string, Entry[]>()));
    return byTenant;
  };
  for (const rule of rules) {
    const entry: Entry = { expiresAt: rule.expiresAt, issuedBefore: rule.kind === 'token' ? Infinity : (rule.issuedBefore ?? Infinity) - backdate };
    switch (rule.kind) {
      case 'clientApp':
        add(inner(clientApps, rule.tenantId), rule.clientAppId, entry);
        break;
      case 'subject':
        add(inner(subjects, rule.tenantId), rule.objectId, entry);
        break;
      case 'token':
        add(tokens, rule.uti, entry);
        break;
      case 'tenant':
        add(tenants, rule.tenantId, entry);
        break;
    }
  }
  const size = rules.length;
  if (size === 0) return { revokes: () => false, size };
  return {
    size,
    revokes(token, now) {
      // A token without iat cannot show it was issued after a cut-off: it is covered (fails closed).
      const issuedAt = token.issuedAt ?? -Infinity;
      const { tenantId, objectId, uti } = token;
      return (
        covers(clientApps.get(tenantId)?.get(token.clientAppId), issuedAt, now) ||
        (objectId !== undefined && covers(subjects.get(tenantId)?.get(objectId), issuedAt, now)) ||
        (uti !== undefined && covers(tokens.get(uti), issuedAt, now)) ||
        covers(tenants.get(tenantId), issuedAt, now)
      );
    },
  };
}

function covers(entries: readonly Entry[] | undefined, issuedAt: number, now: number): boolean {
  if (entries === undefined) return false;
  for (const entry of entries) if (now < entry.expiresAt && issuedAt < entry.issuedBefore) return true;
  return false;
}
