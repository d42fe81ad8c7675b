import type { AuthorityKind } from '../authorities/authorityConfig';

/**
 * Rules on a token's claims beyond roles and scopes, per method: a claim must be
 * present, equal one of a set of values, or contain any / all of a set (in an array
 * claim, or a space-separated string such as `scp`). Checked at startup (defineAuthPolicy)
 * and against each verified token (authorize).
 */
export type ClaimRule =
  | { readonly claim: string; readonly present: true }
  | { readonly claim: string; readonly equals: readonly string[] }
  | { readonly claim: string; readonly containsAny: readonly string[] }
  | { readonly claim: string; readonly containsAll: readonly string[] };

export const claimPresent = (claim: string): ClaimRule => Object.freeze({ claim, present: true as const });
export const claimEquals = (claim: string, ...values: string[]): ClaimRule => Object.freeze({ claim, equals: Object.freeze(values) });
export const claimContainsAny = (claim: string, ...values: string[]): ClaimRule => Object.freeze({ claim, containsAny: Object.freeze(values) });
export const claimContainsAll = (claim: string, ...values: string[]): ClaimRule => Object.freeze({ claim, containsAll: Object.freeze(values) });

const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const CLAIM_VALUE = /^[\x20-\x7e]{1,256}$/;

/** Claims Entra issues as arrays: `equals` cannot apply to them. */
const ARRAY_CLAIMS = new Set(['groups', 'wids', 'roles', 'amr', 'acrs', 'xms_cc']);

/**
 * Claims only some kinds of authority issue. A rule on one of them for a method that
 * accepts no such authority could never be met: a startup error, like an undeclared role.
 */
const ISSUED_BY: Readonly<Record<string, readonly AuthorityKind[]>> = {
  // B2C's user flow; no other kind names one.
  tfp: ['b2c'],
  // Entra tenant features B2C does not have (directory roles, groups, Conditional Access, client capabilities, idtyp, tid).
  tid: ['workforce', 'externalId'],
  wids: ['workforce', 'externalId'],
  groups: ['workforce', 'externalId'],
  acrs: ['workforce', 'externalId'],
  xms_cc: ['workforce', 'externalId'],
  idtyp: ['workforce', 'externalId'],
};

/** Why a claim rule cannot stand, at startup; undefined when it can. `kinds`: what the method's accepted authorities are. */
export function claimRuleProblem(rule: ClaimRule, kinds: readonly AuthorityKind[] | undefined): string | undefined {
  if (!CLAIM_NAME.test(rule.claim)) return `claim name ${JSON.stringify(rule.claim)} is not a claim name`;
  const values = ruleValues(rule);
  if (values !== undefined) {
    if (values.length === 0) return `the rule on ${rule.claim} lists no values`;
    for (const value of values) if (!CLAIM_VALUE.test(value)) return `the rule on ${rule.claim} has a value that is not printable ASCII of 1 to 256 characters`;
    if ('equals' in rule && ARRAY_CLAIMS.has(rule.claim)) return `${rule.claim} is an array claim: use containsAny or containsAll`;
  } else if (!('present' in rule)) {
    return `the rule on ${rule.claim} must be present, equals, containsAny or containsAll`;
  }
  const issuers = ISSUED_BY[rule.claim];
  if (issuers && kinds && !kinds.some((kind) => issuers.includes(kind))) {
    return `a rule on ${rule.claim}, which only ${issuers.join(' / ')} authorities issue, but the method accepts only ${[...new Set(kinds)].join(' / ')} authorities`;
  }
  return undefined;
}

function ruleValues(rule: ClaimRule): readonly string[] | undefined {
  if ('equals' in rule) return rule.equals;
  if ('containsAny' in rule) return rule.containsAny;
  if ('containsAll' in rule) return rule.containsAll;
  return undefined;
}

export type ClaimRuleOutcome = 'met' | 'unmet' | 'overage';

/**
 * Whether the verified claims meet the rule. An array claim holds its items; a string
 * claim holds its space-separated words for the contains rules and itself for equals.
 * A `groups` claim Entra left out for overage (`hasgroups`, or `_claim_names.groups`)
 * is `overage`, never "no groups": the caller must not read absence as an answer.
 */
export function checkClaimRule(rule: ClaimRule, claims: Readonly<Record<string, unknown>>): ClaimRuleOutcome {
  const value = claims[rule.claim];
  if (value === undefined && rule.claim === 'groups' && hasGroupsOverage(claims)) return 'overage';
  if ('present' in rule) return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) ? 'unmet' : 'met';
  if ('equals' in rule) return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && rule.equals.includes(String(value)) ? 'met' : 'unmet';
  const held = heldValues(value);
  if (held === undefined) return 'unmet';
  if ('containsAny' in rule) return rule.containsAny.some((wanted) => held.includes(wanted)) ? 'met' : 'unmet';
  return rule.containsAll.every((wanted) => held.includes(wanted)) ? 'met' : 'unmet';
}

function heldValues(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

function hasGroupsOverage(claims: Readonly<Record<string, unknown>>): boolean {
  if (claims.hasgroups === true || claims.hasgroups === 'true') return true;
  const names = claims._claim_names;
  return names !== null && typeof names === 'object' && Object.hasOwn(names, 'groups');
}

/** `wids contains any of …`: how a rule reads in logs (policy names and values only, never the token's). */
export function describeClaimRule(rule: ClaimRule): string {
  if ('present' in rule) return `${rule.claim} present`;
  if ('equals' in rule) return `${rule.claim} equals one of ${rule.equals.join(' ')}`;
  if ('containsAny' in rule) return `${rule.claim} contains any of ${rule.containsAny.join(' ')}`;
  return `${rule.claim} contains all of ${rule.containsAll.join(' ')}`;
}
