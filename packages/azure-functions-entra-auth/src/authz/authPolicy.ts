import type { HttpMethod } from '@azure/functions';

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
export interface MethodPolicy {
  readonly appRoles?: Requirement;
  readonly scopes?: Requirement;
  readonly userRoles?: Requirement;
  /** A route parameter that must equal the token's tenant (`tid`), for tenant-scoped routes. */
  readonly tenantRouteParam?: string;
}

/**
 * Any valid access token for this API, app-only or delegated, whatever permission it
 * carries. A token with no permission at all is still refused (authorize), unless
 * AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS lets an allow-listed caller app through.
 */
export const ANY_VALID_TOKEN = Object.freeze({ anyValidToken: true as const });

export type MethodRule = MethodPolicy | typeof ANY_VALID_TOKEN;

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
export function defineAuthPolicy<P extends AuthPolicy>(policy: P, known?: DeclaredPermissions): Readonly<P> {
  const entries = Object.entries(policy);
  if (entries.length === 0) throw new TypeError('an auth policy needs at least one HTTP method');
  for (const [method, rule] of entries as [string, MethodRule | undefined][]) {
    if (!METHODS.includes(method)) throw new TypeError(`auth policy: "${method}" is not an HTTP method (use upper case)`);
    if (rule === undefined) throw new TypeError(`auth policy for ${method}: the rule is undefined (leave the method out to refuse it)`);
    if ('anyValidToken' in rule) continue;
    if (!rule.appRoles && !rule.scopes) throw new TypeError(`auth policy for ${method}: give appRoles, scopes or both, or use ANY_VALID_TOKEN`);
    if (rule.userRoles && !rule.scopes) throw new TypeError(`auth policy for ${method}: userRoles applies to delegated callers and needs scopes`);
    checkRequirement(method, 'appRoles', rule.appRoles, known?.appRoles);
    checkRequirement(method, 'scopes', rule.scopes, known?.scopes);
    checkRequirement(method, 'userRoles', rule.userRoles, known?.appRoles);
  }
  return Object.freeze({ ...policy });
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
