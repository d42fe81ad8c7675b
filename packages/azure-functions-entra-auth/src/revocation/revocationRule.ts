/**
 * A deny rule, as the app's store hands it over. Times are milliseconds since the epoch.
 * `issuedBefore` limits a rule to tokens issued (`iat`) strictly before it: the leaked-secret
 * case, where tokens issued after the rotation keep working. Every rule has an expiry, after
 * which it no longer applies: a rule never needs to outlive the longest token it targets.
 * Whatever else the store keeps (who, why, when) is the app's and is not read here.
 */
export type RevocationRule = ClientAppRule | SubjectRule | TokenRule | TenantRule;

interface RuleBase {
  /** The rule's ID in the store; never shown to a caller. */
  readonly id: string;
  /** After this instant the rule no longer applies. */
  readonly expiresAt: number;
}

/** A calling application (`azp` / `appid`) in a tenant. */
export interface ClientAppRule extends RuleBase {
  readonly kind: 'clientApp';
  readonly tenantId: string;
  readonly clientAppId: string;
  readonly issuedBefore?: number | undefined;
}

/** A user or service principal (`oid`) in a tenant. */
export interface SubjectRule extends RuleBase {
  readonly kind: 'subject';
  readonly tenantId: string;
  readonly objectId: string;
  readonly issuedBefore?: number | undefined;
}

/** One token, by its `uti` (Entra's unique token identifier). */
export interface TokenRule extends RuleBase {
  readonly kind: 'token';
  readonly uti: string;
}

/** Every token of a tenant issued before a time (incident response in a multi-tenant API). */
export interface TenantRule extends RuleBase {
  readonly kind: 'tenant';
  readonly tenantId: string;
  readonly issuedBefore: number;
}

export type RevocationRuleKind = RevocationRule['kind'];
export const REVOCATION_RULE_KINDS: readonly RevocationRuleKind[] = Object.freeze(['clientApp', 'subject', 'token', 'tenant']);

/** What a rule is matched against: facts of a verified token. */
export interface RevocationSubject {
  readonly tenantId: string;
  readonly clientAppId: string;
  readonly objectId: string | undefined;
  readonly uti: string | undefined;
  /** `iat` in milliseconds; undefined when the token carries none (then every issued-before rule matches). */
  readonly issuedAt: number | undefined;
}
