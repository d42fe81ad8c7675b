import type { HttpMethod } from '@azure/functions';
import { AUTHORITY_KINDS, type AuthorityKind, type AuthorityRef } from '../authorities/authorityConfig';
import { claimRuleProblem, type ClaimRule } from './claimRules';

/** A set of permission names, needed either all together or any one of them. */
export type Requirement = { readonly anyOf: readonly string[] } | { readonly allOf: readonly string[] };

export const anyOf = (...names: string[]): Requirement => Object.freeze({ anyOf: Object.freeze(names) });
export const allOf = (...names: string[]): Requirement => Object.freeze({ allOf: Object.freeze(names) });

/**
 * What one HTTP method demands. App-only callers are judged on `appRoles` (their
 * `roles` claim) and signed-in users on `scopes` (their `scp` claim); a caller kind
 * whose requirement is omitted is refused. A delegated token never passes on roles
 * alone: `userRoles` only adds a condition on the signed-in user's app roles.
 */
export interface MethodPolicy extends MethodConditions {
  readonly appRoles?: Requirement;
  readonly scopes?: Requirement;
  readonly userRoles?: Requirement;
  /** A route parameter that must equal the token's tenant (`tid`), for tenant-scoped routes. */
  readonly tenantRouteParam?: string;
}

/** What a method may demand of any caller, beside its permissions (issue 22). */
export interface MethodConditions {
  /** The configured authorities whose tokens this method accepts (by name); default all. */
  readonly authorities?: readonly string[];
  /**
   * The kinds of authority whose tokens this method accepts, whatever their names:
   * `['workforce']` keeps a staff-only method closed to customers' External ID and B2C
   * tokens in any deployment, single-tenant or several authorities. Default all kinds.
   */
  readonly authorityKinds?: readonly AuthorityKind[];
  /** Rules on the token's claims, all of which must hold. */
  readonly claims?: readonly ClaimRule[];
  /**
   * A Conditional Access authentication context (`c1`…`c99`) the sign-in must have met:
   * `acrs` must contain it. A delegated token without it gets a 401 claims challenge;
   * an app-only token, which can never carry it, a 403.
   */
  readonly authenticationContext?: string;
}

/**
 * Any valid access token for this API, app-only or delegated, whatever permission it
 * carries. A token with no permission at all is still refused (authorize), unless
 * AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS lets an allow-listed caller app through.
 */
export const ANY_VALID_TOKEN = Object.freeze({ anyValidToken: true as const });

/** Any valid token, under conditions: `{ ...ANY_VALID_TOKEN, authorities: ['employees'] }`. */
export interface AnyValidTokenRule extends MethodConditions {
  readonly anyValidToken: true;
}

export type MethodRule = MethodPolicy | AnyValidTokenRule;

/** The rule for each HTTP method; a method with no entry is refused. */
export type AuthPolicy = Readonly<Partial<Record<HttpMethod, MethodRule>>>;

const METHODS: readonly string[] = ['GET', 'POST', 'DELETE', 'HEAD', 'PATCH', 'PUT', 'OPTIONS', 'TRACE', 'CONNECT'];
/** Entra permission values: no spaces, printable ASCII. */
const PERMISSION_NAME = /^[\x21-\x7e]+$/;

/** The app roles and delegated scopes the API's app registration defines. */
export interface DeclaredPermissions {
  readonly appRoles: readonly string[];
  readonly scopes: readonly string[];
}

/**
 * Checks a policy once, at startup, and freezes it. Misuse is a TypeError: an empty
 * policy, an unknown method, a method that would let nobody in, an empty or
 * malformed requirement. Given the permissions the app declares, a name it does not
 * declare is a TypeError too.
 */
export function defineAuthPolicy<P extends AuthPolicy>(policy: P, known?: DeclaredPermissions, authorities?: readonly AuthorityRef[]): Readonly<P> {
  const entries = Object.entries(policy);
  if (entries.length === 0) throw new TypeError('an auth policy needs at least one HTTP method');
  for (const [method, rule] of entries as [string, MethodRule | undefined][]) {
    if (!METHODS.includes(method)) throw new TypeError(`auth policy: "${method}" is not an HTTP method (use upper case)`);
    if (rule === undefined) throw new TypeError(`auth policy for ${method}: the rule is undefined (leave the method out to refuse it)`);
    checkConditions(method, rule, authorities);
    if ('anyValidToken' in rule) continue;
    if (!rule.appRoles && !rule.scopes) throw new TypeError(`auth policy for ${method}: give appRoles, scopes or both, or use ANY_VALID_TOKEN`);
    if (rule.userRoles && !rule.scopes) throw new TypeError(`auth policy for ${method}: userRoles applies to delegated callers and needs scopes`);
    checkRequirement(method, 'appRoles', rule.appRoles, known?.appRoles);
    checkRequirement(method, 'scopes', rule.scopes, known?.scopes);
    checkRequirement(method, 'userRoles', rule.userRoles, known?.appRoles);
  }
  return Object.freeze({ ...policy });
}

const AUTHENTICATION_CONTEXT = /^c([1-9]|[1-9][0-9])$/;

/** The authorities, claim rules and authentication context of a method, against the configured authorities (when given). */
function checkConditions(method: string, rule: MethodConditions, configured: readonly AuthorityRef[] | undefined): void {
  let accepted = configured;
  if (rule.authorities !== undefined) {
    if (!Array.isArray(rule.authorities) || rule.authorities.length === 0) throw new TypeError(`auth policy for ${method}: authorities lists no authority`);
    if (new Set(rule.authorities).size !== rule.authorities.length) throw new TypeError(`auth policy for ${method}: authorities names one authority twice`);
    if (configured) {
      for (const name of rule.authorities) {
        if (!configured.some((authority) => authority.name === name)) {
          throw new TypeError(`auth policy for ${method}: authority "${name}" is not configured (configured: ${configured.map((a) => a.name).join(', ')})`);
        }
      }
      accepted = configured.filter((authority) => rule.authorities?.includes(authority.name));
    }
  }
  if (rule.authorityKinds !== undefined) {
    const kindsGiven: readonly unknown[] = rule.authorityKinds;
    if (!Array.isArray(kindsGiven) || kindsGiven.length === 0) throw new TypeError(`auth policy for ${method}: authorityKinds lists no kind`);
    const unknownKind: unknown = kindsGiven.find((kind) => !(AUTHORITY_KINDS as readonly unknown[]).includes(kind));
    if (unknownKind !== undefined) throw new TypeError(`auth policy for ${method}: authorityKinds names ${JSON.stringify(unknownKind)}; the kinds are ${AUTHORITY_KINDS.join(', ')}`);
    if (new Set(kindsGiven).size !== kindsGiven.length) throw new TypeError(`auth policy for ${method}: authorityKinds names one kind twice`);
    if (accepted) {
      const narrowed = accepted.filter((authority) => rule.authorityKinds?.includes(authority.kind));
      if (narrowed.length === 0) {
        throw new TypeError(
          `auth policy for ${method}: no configured authority is of the kinds ${rule.authorityKinds.join(', ')} (${accepted.map((a) => `${a.name}: ${a.kind}`).join(', ')}), so the method would let nobody in`,
        );
      }
      accepted = narrowed;
    }
  }
  const kinds = accepted?.map((authority) => authority.kind);
  if (rule.claims !== undefined) {
    const claimRules: readonly ClaimRule[] = rule.claims;
    if (claimRules.length === 0) throw new TypeError(`auth policy for ${method}: claims lists no rule`);
    for (const claimRule of claimRules) {
      const problem = claimRuleProblem(claimRule, kinds);
      if (problem) throw new TypeError(`auth policy for ${method}: ${problem}`);
    }
  }
  if (rule.authenticationContext !== undefined) {
    if (!AUTHENTICATION_CONTEXT.test(rule.authenticationContext)) throw new TypeError(`auth policy for ${method}: authenticationContext must be c1 to c99`);
    if (kinds && !kinds.some((kind) => kind !== 'b2c')) {
      throw new TypeError(`auth policy for ${method}: authenticationContext needs acrs, which B2C does not issue, and the method accepts only B2C authorities`);
    }
  }
}

function checkRequirement(method: string, field: string, requirement: Requirement | undefined, known: readonly string[] | undefined): void {
  if (!requirement) return;
  const names = requirementNames(requirement);
  if (names.length === 0) throw new TypeError(`auth policy for ${method}: ${field} lists no names`);
  for (const name of names) {
    if (!PERMISSION_NAME.test(name)) throw new TypeError(`auth policy for ${method}: ${field} name ${JSON.stringify(name)} is not a permission value`);
    if (known && !known.includes(name)) throw new TypeError(`auth policy for ${method}: ${field} name "${name}" is not among the declared permissions`);
  }
}

export function requirementNames(requirement: Requirement): readonly string[] {
  return 'anyOf' in requirement ? requirement.anyOf : requirement.allOf;
}

/** `any of A B` / `all of A B`: how a requirement reads in logs and diagnostics. */
export function describeRequirement(requirement: Requirement): string {
  return `${'anyOf' in requirement ? 'any of' : 'all of'} ${requirementNames(requirement).join(' ')}`;
}

export function isMet(requirement: Requirement, held: readonly string[]): boolean {
  return 'anyOf' in requirement ? requirement.anyOf.some((name) => held.includes(name)) : requirement.allOf.every((name) => held.includes(name));
}
