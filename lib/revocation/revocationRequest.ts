import * as z from 'zod/mini';
import type { RevocationRule } from 'azure-functions-entra-auth/revocation';
import { CANONICAL_GUID } from 'azure-functions-entra-auth/settings';

/**
 * A new deny rule as an operator asks for it (the admin API's body, `npm run revoke`'s
 * options): strict shapes here, then the checks that need the clock and the token
 * lifetime bound (newRevocation). Unknown members are refused.
 */
const guid = (what: string) =>
  z.pipe(
    z.string({ error: `must be a GUID (${what})` }).check(z.regex(new RegExp(CANONICAL_GUID.source, 'i'), { error: `must be a GUID (${what})` })),
    z.transform((value: string) => value.toLowerCase()),
  );
const instant = (what: string) => z.string({ error: `must be an ISO 8601 date-time (${what})` }).check(z.regex(ISO_INSTANT, { error: `must be an ISO 8601 date-time with a time zone, e.g. 2026-12-07T12:00:00Z (${what})` }));
/** RFC 3339: a date, a time and a zone; nothing Date.parse would guess at. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const issuedBefore = z.optional(z.union([z.literal('now'), instant('issuedBefore, or "now"')]));
/** Printable text without control characters: it is shown in telemetry and the CLI. */
const reason = z.string({ error: 'is required: why the rule is set (1-200 characters)' }).check(
  z.minLength(1, { error: 'is required: why the rule is set (1-200 characters)' }),
  z.maxLength(200, { error: 'must be at most 200 characters' }),
  z.regex(/^[^\p{Cc}\p{Cf}\p{Co}\p{Cn}]*$/u, { error: 'must be printable text without control characters' }),
);
const common = { reason, expiresAt: z.optional(instant('expiresAt')) };

export const revocationRequest = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('clientApp'), tenantId: guid('the tenant ID'), clientAppId: guid('the client app ID, azp/appid'), issuedBefore, ...common }),
    z.strictObject({ kind: z.literal('subject'), tenantId: guid('the tenant ID'), objectId: guid('the user or service principal object ID, oid'), issuedBefore, ...common }),
    z.strictObject({
      kind: z.literal('token'),
      uti: z.string({ error: 'must be the token\'s uti claim' }).check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be the token\'s uti claim (base64url, at most 64 characters)' })),
      ...common,
    }),
    z.strictObject({ kind: z.literal('tenant'), tenantId: guid('the tenant ID'), issuedBefore: z.union([z.literal('now'), instant('issuedBefore, or "now"')], { error: 'is required for a tenant rule: "now" or an ISO 8601 date-time' }), ...common }),
  ],
  { error: 'kind must be one of clientApp, subject, token, tenant' },
);
export type RevocationRequest = z.output<typeof revocationRequest>;

/** Who set a rule: from the verified principal of the admin API, or the operator's CLI. */
export interface RevocationAuthor {
  readonly tenantId: string;
  /** The calling app's service principal or the user (`oid`); for the CLI, the operator's name for themselves. */
  readonly objectId: string | undefined;
  readonly clientAppId: string | undefined;
  readonly via: 'api' | 'cli';
  /** The CLI's operator, as they name themselves (--by); the API's author is the verified caller alone. */
  readonly operator?: string | undefined;
}

/** A rule as the store keeps it: the package's rule plus who, when and why. */
export type StoredRevocation = RevocationRule & {
  readonly reason: string;
  readonly createdAt: number;
  readonly createdBy: RevocationAuthor;
};

export interface RevocationLimits {
  /** The longest token lifetime this API accepts plus clock skew, in seconds: no rule needs to outlive it. */
  readonly maxRuleLifetimeSeconds: number;
}

export type NewRevocation = { readonly ok: true; readonly rule: StoredRevocation } | { readonly ok: false; readonly field: string; readonly detail: string };

/**
 * The rule to store, or which field is wrong: issued-before not in the future, an expiry
 * in the future and at most the longest token lifetime away (the default).
 */
export function newRevocation(request: RevocationRequest, author: RevocationAuthor, id: string, now: number, limits: RevocationLimits): NewRevocation {
  const latestExpiry = now + limits.maxRuleLifetimeSeconds * 1000;
  let expiresAt = latestExpiry;
  if (request.expiresAt !== undefined) {
    expiresAt = Date.parse(request.expiresAt);
    if (!Number.isFinite(expiresAt)) return { ok: false, field: 'expiresAt', detail: 'Field expiresAt: not a valid date-time.' };
    if (expiresAt <= now) return { ok: false, field: 'expiresAt', detail: 'Field expiresAt: must be in the future.' };
    if (expiresAt > latestExpiry) {
      return { ok: false, field: 'expiresAt', detail: `Field expiresAt: must be at most ${limits.maxRuleLifetimeSeconds} seconds away (the longest token lifetime plus clock skew); no token outlives that.` };
    }
  }
  let issuedBefore: number | undefined;
  if ('issuedBefore' in request && request.issuedBefore !== undefined) {
    issuedBefore = request.issuedBefore === 'now' ? now : Date.parse(request.issuedBefore);
    if (!Number.isFinite(issuedBefore)) return { ok: false, field: 'issuedBefore', detail: 'Field issuedBefore: not a valid date-time.' };
    if (issuedBefore > now) return { ok: false, field: 'issuedBefore', detail: 'Field issuedBefore: must not be in the future; use "now" to cut off every token issued so far.' };
  }
  const meta = { id, expiresAt, reason: request.reason, createdAt: now, createdBy: author };
  switch (request.kind) {
    case 'clientApp':
      return { ok: true, rule: { ...meta, kind: 'clientApp', tenantId: request.tenantId, clientAppId: request.clientAppId, issuedBefore } };
    case 'subject':
      return { ok: true, rule: { ...meta, kind: 'subject', tenantId: request.tenantId, objectId: request.objectId, issuedBefore } };
    case 'token':
      return { ok: true, rule: { ...meta, kind: 'token', uti: request.uti } };
    case 'tenant':
      return { ok: true, rule: { ...meta, kind: 'tenant', tenantId: request.tenantId, issuedBefore: issuedBefore ?? now } };
  }
}

/** A rule as the admin API and the CLI show it: times as ISO strings. */
export function revocationView(rule: StoredRevocation): Record<string, unknown> {
  const { expiresAt, createdAt, createdBy, ...rest } = rule;
  const issuedBefore = 'issuedBefore' in rule && rule.issuedBefore !== undefined ? new Date(rule.issuedBefore).toISOString() : undefined;
  return {
    ...rest,
    ...(issuedBefore !== undefined && { issuedBefore }),
    expiresAt: new Date(expiresAt).toISOString(),
    createdAt: new Date(createdAt).toISOString(),
    createdBy: Object.fromEntries(Object.entries(createdBy).filter(([, value]) => value !== undefined)),
  };
}
