import type { PolicyCheck } from '../errors/checkNames';
import { isMet, type MethodRule, type Requirement } from './authPolicy';
import type { Principal } from './principal';

export type AuthorizationDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: 'insufficient_scope' | 'tenant_mismatch';
      readonly check: PolicyCheck;
      /** The requirement the caller did not meet, if one applied to its kind. */
      readonly unmet?: Requirement;
    };

export interface AuthorizeOptions {
  /**
   * AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: accept tokens that carry neither `roles`
   * nor `scp` where the rule allows (ANY_VALID_TOKEN). Only for APIs whose caller
   * list (AUTH_ALLOWED_CLIENT_APPS) is the access control; the settings enforce that.
   */
  readonly allowTokensWithoutPermissions?: boolean;
}

const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true });

/**
 * Decides whether a verified caller may use a method. Pure: the principal, the rule
 * and the route parameters in, a decision out. A token without any permission is
 * refused first, on every route (as Microsoft.Identity.Web does, IDW10201): Entra
 * issues one to any app in the tenant that asks unless assignment is required.
 * Then app-only callers are judged on roles only, delegated callers on scopes
 * (and, if asked, the user's roles) only.
 */
export function authorize(
  principal: Principal,
  rule: MethodRule,
  routeParams: Readonly<Record<string, string>>,
  options: AuthorizeOptions = {},
): AuthorizationDecision {
  if (principal.roles.length === 0 && principal.scopes.length === 0 && options.allowTokensWithoutPermissions !== true) {
    const unmet = 'anyValidToken' in rule ? undefined : principal.isAppOnly ? rule.appRoles : rule.scopes;
    return { allowed: false, code: 'insufficient_scope', check: 'caller.no_permissions', ...(unmet && { unmet }) };
  }
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
