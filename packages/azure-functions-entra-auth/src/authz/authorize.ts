import type { TokenFacts } from '../errors/authErrors';
import { NO_APP_ROLE_DETAIL, REQUEST_FAILURES } from '../errors/failureCodes';
import { Refusal } from '../errors/refusal';
import { describeRequirement, isMet, type MethodRule, type Requirement } from './authPolicy';
import type { Principal } from './principal';
import { authorizationUri, type AuthorityConfig } from '../authorities/authorityConfig';
import { checkClaimRule, describeClaimRule } from './claimRules';

/** Allowed, or the complete refusal (code, check, message, facts, what would have sufficed). */
export type AuthorizationDecision = { readonly allowed: true } | { readonly allowed: false; readonly refusal: Refusal };

export interface AuthorizeOptions {
  /**
   * AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: accept tokens that carry neither `roles`
   * nor `scp` where the rule allows (ANY_VALID_TOKEN). Only for APIs whose caller
   * list (AUTH_ALLOWED_CLIENT_APPS) is the access control; the settings enforce that.
   */
  readonly allowTokensWithoutPermissions?: boolean;
  /** The configured authorities: where a claims challenge sends the client to sign in again. */
  readonly authorities?: readonly AuthorityConfig[];
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
  const facts: TokenFacts = {
    tenantId: principal.tenantId,
    clientAppId: principal.clientAppId,
    version: principal.tokenVersion,
    kid: principal.keyId,
    authority: principal.authority,
    ...(principal.userFlow !== undefined && { userFlow: principal.userFlow }),
  };
  // First: a token from an authority this method does not serve is not a caller here at all.
  if (rule.authorities !== undefined && !rule.authorities.includes(principal.authority)) {
    const refusal = new Refusal(REQUEST_FAILURES.authority_not_accepted, 'policy.authority', `tokens of authority ${principal.authority} are not accepted here`, { facts });
    return { allowed: false, refusal };
  }
  if (rule.authorityKinds !== undefined && !rule.authorityKinds.includes(principal.authorityKind)) {
    const refusal = new Refusal(REQUEST_FAILURES.authority_not_accepted, 'policy.authority_kind', `tokens of ${principal.authorityKind} authorities are not accepted here`, { facts });
    return { allowed: false, refusal };
  }
  const decision = authorizePermissions(principal, rule, routeParams, options, facts);
  return decision.allowed ? checkConditions(principal, rule, options, facts) : decision;
}

function authorizePermissions(
  principal: Principal,
  rule: MethodRule,
  routeParams: Readonly<Record<string, string>>,
  options: AuthorizeOptions,
  facts: TokenFacts,
): AuthorizationDecision {
  const refuse = (check: string, message: string, extra: { unmet?: Requirement | undefined; description?: string } = {}): AuthorizationDecision => ({
    allowed: false,
    refusal: new Refusal(REQUEST_FAILURES.insufficient_scope, check, message, {
      facts,
      ...(extra.unmet && { required: extra.unmet }),
      ...(extra.description !== undefined && { description: extra.description }),
    }),
  });

  if (principal.roles.length === 0 && principal.scopes.length === 0 && options.allowTokensWithoutPermissions !== true) {
    const unmet = 'anyValidToken' in rule ? undefined : principal.isAppOnly ? rule.appRoles : rule.scopes;
    return principal.isAppOnly
      ? refuse('caller.no_permissions', 'app-only token without any app role (roles is empty)', { unmet, description: NO_APP_ROLE_DETAIL })
      : refuse('caller.no_permissions', 'delegated token without any scope or role', { unmet });
  }
  if ('anyValidToken' in rule) return ALLOWED;
  if (rule.tenantRouteParam !== undefined) {
    const routeTenant = routeParams[rule.tenantRouteParam]?.toLowerCase();
    if (routeTenant !== principal.tenantId) {
      const refusal = new Refusal(REQUEST_FAILURES.tenant_mismatch, `route.${rule.tenantRouteParam}`, 'route tenant differs from the token tenant', { facts });
      return { allowed: false, refusal };
    }
  }
  if (principal.isAppOnly) {
    if (rule.appRoles && isMet(rule.appRoles, principal.roles)) return ALLOWED;
    return rule.appRoles
      ? refuse('claims.roles', `caller lacks ${describeRequirement(rule.appRoles)}`, { unmet: rule.appRoles })
      : refuse('caller.app_only_not_allowed', 'this kind of caller (app-only) is not accepted here');
  }
  if (!rule.scopes) return refuse('caller.delegated_not_allowed', 'this kind of caller (delegated) is not accepted here');
  if (!isMet(rule.scopes, principal.scopes)) return refuse('claims.scp', `caller lacks ${describeRequirement(rule.scopes)}`, { unmet: rule.scopes });
  if (rule.userRoles && !isMet(rule.userRoles, principal.roles)) {
    return refuse('claims.roles', `caller lacks ${describeRequirement(rule.userRoles)}`, { unmet: rule.userRoles });
  }
  return ALLOWED;
}

/** A method's claim rules, then its authentication context, for a caller its permissions already admit. */
function checkConditions(principal: Principal, rule: MethodRule, options: AuthorizeOptions, facts: TokenFacts): AuthorizationDecision {
  for (const claimRule of rule.claims ?? []) {
    const outcome = checkClaimRule(claimRule, principal.claims);
    if (outcome === 'met') continue;
    const check = `claim_rule.${claimRule.claim}`;
    const refusal =
      outcome === 'overage'
        ? new Refusal(REQUEST_FAILURES.groups_overage, check, 'groups overage (hasgroups or _claim_names): the groups are not in the token', { facts, problem: { claim: claimRule.claim } })
        : new Refusal(REQUEST_FAILURES.claim_required, check, `caller's token does not meet: ${describeClaimRule(claimRule)}`, { facts, problem: { claim: claimRule.claim } });
    return { allowed: false, refusal };
  }
  const context = rule.authenticationContext;
  if (context === undefined || checkClaimRule({ claim: 'acrs', containsAny: [context] }, principal.claims) === 'met') return ALLOWED;
  // An app-only token never carries acrs, nor does any B2C token: a challenge could never be met, so 403.
  if (principal.isAppOnly || principal.authorityKind === 'b2c') {
    const refusal = new Refusal(REQUEST_FAILURES.insufficient_scope, 'policy.authentication_context', `${principal.isAppOnly ? 'app-only' : 'B2C'} token; the method requires authentication context ${context}`, {
      facts,
      description: APP_ONLY_STEP_UP_DETAIL,
    });
    return { allowed: false, refusal };
  }
  const authority = options.authorities?.find((candidate) => candidate.name === principal.authority);
  const refusal = new Refusal(REQUEST_FAILURES.authentication_context_required, 'policy.authentication_context', `acrs lacks authentication context ${context}`, {
    facts,
    claimsChallenge: {
      authorizationUri: authority ? authorizationUri(authority, principal.tenantId) : `https://login.microsoftonline.com/${principal.tenantId}/oauth2/v2.0/authorize`,
      claims: authenticationContextClaims(context),
    },
  });
  return { allowed: false, refusal };
}

/** The claims request for an authentication context, exactly as Microsoft's claims-challenge documentation writes it. */
export function authenticationContextClaims(context: string): string {
  return JSON.stringify({ access_token: { acrs: { essential: true, value: context } } });
}

const APP_ONLY_STEP_UP_DETAIL = 'This operation requires a stronger authentication context, which this kind of token (app-only, or from Azure AD B2C) cannot carry.';
