import { isMet, type MethodRule, type Requirement } from './authPolicy';
import type { Principal } from './principal';

export type AuthorizationDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: 'insufficient_scope' | 'tenant_mismatch';
      readonly check: string;
      /** The requirement the caller did not meet, if one applied to its kind. */
      readonly unmet?: Requirement;
    };

const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true });

/**
 * Decides whether a verified caller may use a method. Pure: the principal, the rule
 * and the route parameters in, a decision out. App-only callers are judged on roles
 * only, delegated callers on scopes (and, if asked, the user's roles) only.
 */
export function authorize(principal: Principal, rule: MethodRule, routeParams: Readonly<Record<string, string>>): AuthorizationDecision {
  if ('anyValidToken' in rule) return ALLOWED;
  if (rule.tenantRouteParam !== undefined) {
    const routeTenant = routeParams[rule.tenantRouteParam]?.toLowerCase();
    if (routeTenant !== principal.tenantId) {
      return { allowed: false, code: 'tenant_mismatch', check: `route.${rule.tenantRouteParam}` };
    }
  }
  if (principal.isAppOnly) {
    if (rule.appRoles && isMet(rule.appRoles, principal.roles)) return ALLOWED;
    return rule.appRoles
      ? { allowed: false, code: 'insufficient_scope', check: 'claims.roles', unmet: rule.appRoles }
      : { allowed: false, code: 'insufficient_scope', check: 'caller.app_only_not_allowed' };
  }
  if (!rule.scopes) {
    return { allowed: false, code: 'insufficient_scope', check: 'caller.delegated_not_allowed' };
  }
  if (!isMet(rule.scopes, principal.scopes)) {
    return { allowed: false, code: 'insufficient_scope', check: 'claims.scp', unmet: rule.scopes };
  }
  if (rule.userRoles && !isMet(rule.userRoles, principal.roles)) {
    return { allowed: false, code: 'insufficient_scope', check: 'claims.roles', unmet: rule.userRoles };
  }
  return ALLOWED;
}
