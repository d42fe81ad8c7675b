import type { HttpMethod } from '@azure/functions';
import {
  authorize,
  requirementNames,
  type AuthorizationDecision,
  type AuthorizeOptions,
  type MethodRule,
  type Principal,
  type Refusal,
  type RequiredPermissions,
  type Requirement,
} from 'azure-functions-entra-auth';
import type { AppDescription } from './appDescription';

/** One method of one route, as withAuth would decide it for the inspected token. */
export interface RouteAccess {
  readonly method: string;
  /** As called, e.g. /api/orders/{id}. */
  readonly path: string;
  readonly allowed: boolean;
  /** withAuth's answer: 2xx (the handler runs) or the refusal's status and code. */
  readonly answer: string;
  readonly reason: string;
}

export interface RouteTable {
  readonly routes: readonly RouteAccess[];
  /** How tenant-scoped routes treat a tenant other than the token's. */
  readonly tenantRules: readonly RouteAccess[];
}

/** A tenant ID that is never the token's, to show what the tenant-route rule answers. */
const SOME_OTHER_TENANT = '00000000-0000-0000-0000-000000000000';

/**
 * Every route and method the app registered, decided by the production `authorize()`
 * over the policy each handler carries (read through the auth package): what withAuth
 * would answer after the token verified. The reasons only describe the decision; they never make it.
 */
export function routeTableFor(principal: Principal, app: AppDescription): RouteTable {
  const routes: RouteAccess[] = [];
  const tenantRules: RouteAccess[] = [];
  const prefix = app.routePrefix === '' ? '' : `/${app.routePrefix}`;
  for (const entry of app.routes) {
    const path = `${prefix}/${entry.route}`;
    if (!entry.protection) {
      const reason = entry.authLevel === 'anonymous' ? 'anonymous: no token needed' : `not guarded by the auth package: the Functions host asks for a function key (authLevel ${entry.authLevel})`;
      for (const method of entry.methods) routes.push({ method, path, allowed: entry.authLevel === 'anonymous', answer: entry.authLevel === 'anonymous' ? '2xx' : '401 (no function key)', reason });
      continue;
    }
    // What the app's guard hands authorize() (createEntraAuth), so it decides as in production.
    const options: AuthorizeOptions = {
      allowTokensWithoutPermissions: entry.protection.settings.allowTokensWithoutPermissions,
      authorities: entry.protection.settings.authorities,
    };
    for (const [method, rule] of Object.entries(entry.protection.policy) as [HttpMethod, MethodRule][]) {
      const tenantParam = 'tenantRouteParam' in rule ? rule.tenantRouteParam : undefined;
      if (tenantParam === undefined) {
        routes.push(describe(method, path, rule, principal, authorize(principal, rule, {}, options)));
        continue;
      }
      const own = path.replace(`{${tenantParam}}`, principal.tenantId);
      routes.push(describe(method, own, rule, principal, authorize(principal, rule, { [tenantParam]: principal.tenantId }, options)));
      const other = path.replace(`{${tenantParam}}`, SOME_OTHER_TENANT);
      tenantRules.push(describe(method, other, rule, principal, authorize(principal, rule, { [tenantParam]: SOME_OTHER_TENANT }, options), tenantParam));
    }
  }
  return { routes, tenantRules };
}

function describe(method: string, path: string, rule: MethodRule, principal: Principal, decision: AuthorizationDecision, tenantParam?: string): RouteAccess {
  if (decision.allowed) return { method, path, allowed: true, answer: '2xx', reason: allowedBecause(rule, principal) };
  const { refusal } = decision;
  // The status withAuth answers with, from the production refusal itself.
  const answer = `${refusal.http.status} ${refusal.code}`;
  if (refusal.code === 'tenant_mismatch') {
    return {
      method,
      path,
      allowed: false,
      answer,
      reason: `the {${tenantParam ?? 'tenant'}} in the route must be the token's tenant ${principal.tenantId}; any other tenant is refused (${refusal.check})`,
    };
  }
  return { method, path, allowed: false, answer, reason: refusedBecause(refusal, rule, principal) };
}

function allowedBecause(rule: MethodRule, principal: Principal): string {
  if ('anyValidToken' in rule) return 'any valid access token for this API';
  const requirement = principal.isAppOnly ? rule.appRoles : rule.scopes;
  const held = principal.isAppOnly ? principal.roles : principal.scopes;
  const kind = principal.isAppOnly ? 'app role' : 'scope';
  if (!requirement) return 'allowed';
  const matched = requirementNames(requirement).filter((name) => held.includes(name));
  const base = `needs ${kind} ${wording(requirement)}; token has ${matched.join(', ')}`;
  return rule.userRoles && !principal.isAppOnly ? `${base}, and the user holds ${wording(rule.userRoles)}` : base;
}

function refusedBecause(decision: Refusal, rule: MethodRule, principal: Principal): string {
  const policy = 'anyValidToken' in rule ? {} : rule;
  switch (decision.check) {
    case 'caller.app_only_not_allowed':
      return `app-only (client_credentials) tokens are not accepted here${policy.scopes ? `; a signed-in user's token with scope ${wording(policy.scopes)} is` : ''}`;
    case 'caller.delegated_not_allowed':
      return `tokens of signed-in users are not accepted here${policy.appRoles ? `; an app-only token with app role ${wording(policy.appRoles)} is` : ''}`;
    case 'claims.scp':
      return `needs scope ${unmetWording(decision.required)}; token has scp ${listOrNone(principal.scopes)}`;
    case 'claims.roles':
      return principal.isAppOnly
        ? `needs app role ${unmetWording(decision.required)}; token has roles ${listOrNone(principal.roles)}`
        : `the signed-in user needs app role ${unmetWording(decision.required)}; token has roles ${listOrNone(principal.roles)}`;
    case 'caller.no_permissions':
      return `the token carries no permission at all (neither roles nor scp), refused on every route${decision.required ? `: assign the caller ${principal.isAppOnly ? 'app role' : 'scope'} ${wording(decision.required)}` : ''}`;
    case 'policy.authority':
      return `tokens of authority ${principal.authority} are not accepted here; it accepts ${rule.authorities?.join(', ') ?? 'other authorities'}`;
    case 'policy.authority_kind':
      return `tokens of ${principal.authorityKind} authorities are not accepted here; it accepts ${rule.authorityKinds?.join(', ') ?? 'other kinds'}`;
    case 'policy.authentication_context':
      return principal.isAppOnly
        ? `needs authentication context ${rule.authenticationContext ?? ''}, which an app-only token can never carry`
        : `needs authentication context ${rule.authenticationContext ?? ''} in acrs; token has acrs ${listOrNone(acrsOf(principal))}: the client gets a claims challenge and signs in again`;
    default:
      // A claim rule: the production message names the rule (policy values only, never the token's).
      return decision.check.startsWith('claim_rule.') ? `${decision.message} (${decision.check})` : `refused (${decision.check})`;
  }
}

function acrsOf(principal: Principal): readonly string[] {
  const { acrs } = principal.claims;
  return Array.isArray(acrs) ? acrs.filter((value): value is string => typeof value === 'string') : [];
}

function wording(requirement: Requirement): string {
  const names = requirementNames(requirement);
  return names.join('anyOf' in requirement ? ' or ' : ' and ');
}

function unmetWording(unmet: RequiredPermissions | undefined): string {
  return unmet ? wording(unmet) : 'a permission';
}

function listOrNone(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(' ');
}
