import type { AuthorityConfig, AuthorityKind } from '../authorities/authorityConfig';
import { buildAuthorityRoutes, type KeySource } from '../authorities/authorityRoutes';
import { requirementNames, type MethodRule } from '../authz/authPolicy';
import { TENANT_TEMPLATE } from '../entra/openIdMetadata';
import { REQUEST_FAILURES } from '../errors/failureCodes';
import type { FailureDefinition } from '../errors/failureDefinition';
import { apiManagementOperationName, type OperationPolicy } from './apiManagementPolicy';
import type { DocumentedRoute, OpenApiDocument } from './documentTypes';
import { methodsOf, ruleOf } from './openApiDocument';
import { attr, bearer, challengeText, choose, claim, csharpString, indent, insufficientScope, policyDocument, problem, text } from './policyXml';
import { openApiPath } from './routePath';

/**
 * What the gateway checks when the app trusts several authorities. Values are written as
 * given: a deployment tool may pass authorities whose fields are placeholders it replaces.
 */
export interface AuthorityGatewayOptions {
  /**
   * The configured authorities, each key source becoming one validate-jwt branch; or a
   * placeholder written where the branches go, for a tool that adds them per deployment
   * (with apiManagementKeySourceBranches, for the authorities each policy's method accepts).
   */
  readonly authorities: readonly AuthorityConfig[] | { readonly placeholder: string };
  /** The realm of the challenges, as the function's. */
  readonly realm: string;
  /** Caller app IDs (`azp` / `appid`) for an authority that names none (AUTH_ALLOWED_CLIENT_APPS); omitted or empty means any. */
  readonly clientApplicationIds?: readonly string[];
  /** Calls per caller app and period, as rate-limit-by-key's attributes. */
  readonly rateLimit: { readonly calls: string; readonly renewalPeriodSeconds: string };
  /** The 401 the gateway answers for a token it refuses (it cannot say which check failed). */
  readonly tokenRefusal: FailureDefinition;
}

export interface AuthorityOperationPolicy extends OperationPolicy {
  /** The method's rule; undefined for an anonymous operation. */
  readonly rule: MethodRule | undefined;
  /** The authorities the method accepts, by name (its rule's `authorities`); undefined: every configured one. */
  readonly authorities: readonly string[] | undefined;
  /** The kinds of authority the method accepts (its rule's `authorityKinds`); undefined: every kind. */
  readonly authorityKinds: readonly AuthorityKind[] | undefined;
}

const TOKEN_VARIABLE = 'entra-token';
const TOKEN_POLICY = 'entra-token';
const PERMISSION_POLICY = 'entra-permission';
/** The token's `iss` and B2C user flow (`tfp`, else `acr`), read before validation only to pick the branch whose validation then holds the token to them. */
const ISSUER_VARIABLE = 'entra-issuer';
const USER_FLOW_VARIABLE = 'entra-user-flow';

const TOKEN = `((Jwt)context.Variables["${TOKEN_VARIABLE}"])`;
const CALLER_APP = `${TOKEN}.Claims.GetValueOrDefault("azp", ${TOKEN}.Claims.GetValueOrDefault("appid", ""))`;
const UNVERIFIED = `var header = context.Request.Headers.GetValueOrDefault("Authorization", ""); var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header.Substring(7).Trim().AsJwt() : null;`;

/**
 * One API Management policy per operation for an app that trusts several authorities
 * (workforce tenants, External ID tenants, B2C user flows), from the same route table as
 * the document. A token goes to exactly one key source by its exact `iss` (and, in B2C,
 * its user flow), as the function routes it: that branch's validate-jwt holds it to the
 * source's discovery document (its keys), the exact issuers and the authority's audiences
 * (401), then to the authority's caller apps (401) and the method's scopes or app roles
 * (403). A token no branch claims, the method's authorities leaving the others out, is
 * refused (401). Then, as the single-tenant policy: the tenant route parameter and the
 * per-caller rate limit. Issuers are exact strings, never patterns: a multi-tenant
 * workforce authority needs its tenants listed. The caller's Authorization header is
 * passed on untouched: the function validates again.
 */
export function apiManagementAuthorityPolicies(document: OpenApiDocument, routes: readonly DocumentedRoute[], options: AuthorityGatewayOptions): AuthorityOperationPolicy[] {
  const configured = Array.isArray(options.authorities) ? (options.authorities as readonly AuthorityConfig[]) : undefined;
  if (configured) {
    if (configured.length === 0) throw new TypeError('apiManagementAuthorityPolicies: no authority configured');
    buildAuthorityRoutes(configured);
  }
  const policies: AuthorityOperationPolicy[] = [];
  for (const route of routes) {
    const { path } = openApiPath(route.route);
    for (const method of methodsOf(route)) {
      const operationId = document.paths[path]?.[method.toLowerCase()]?.operationId;
      if (typeof operationId !== 'string') throw new TypeError(`apiManagementAuthorityPolicies: the document has no operation for ${method} ${path}`);
      const rule = ruleOf(route, method);
      const operationName = apiManagementOperationName(operationId);
      if (!rule) {
        policies.push({ operationId, operationName, method, path, xml: policyDocument(undefined, undefined), rule, authorities: undefined, authorityKinds: undefined });
        continue;
      }
      let branches: string;
      if (configured) {
        const unknown = rule.authorities?.filter((name) => !configured.some((authority) => authority.name === name));
        if (unknown && unknown.length > 0) throw new TypeError(`apiManagementAuthorityPolicies: ${method} ${path} accepts authority ${unknown.join(', ')}, which is not configured`);
        const accepted = configured.filter((authority) => (rule.authorities?.includes(authority.name) ?? true) && (rule.authorityKinds?.includes(authority.kind) ?? true));
        if (accepted.length === 0) throw new TypeError(`apiManagementAuthorityPolicies: ${method} ${path} accepts none of the configured authorities (its authorities and authorityKinds leave none)`);
        branches = accepted.flatMap((authority) => apiManagementKeySourceBranches(rule, authority, options)).join('\n');
      } else {
        branches = (options.authorities as { readonly placeholder: string }).placeholder;
      }
      policies.push({ operationId, operationName, method, path, xml: authorityPolicy(rule, branches, options), rule, authorities: rule.authorities, authorityKinds: rule.authorityKinds });
    }
  }
  const names = new Set<string>();
  for (const { operationName } of policies) {
    if (names.has(operationName)) throw new TypeError(`apiManagementAuthorityPolicies: two operations are both named ${operationName} in API Management`);
    names.add(operationName);
  }
  return policies;
}

/**
 * The `<when>` branches of one authority for one method's rule: one per key source (a
 * workforce tenant's v2 document; External ID's ciamlogin document and, when accepted, its
 * login.microsoftonline.com one; each B2C user flow's), each validating against that
 * source alone.
 */
export function apiManagementKeySourceBranches(rule: MethodRule, authority: AuthorityConfig, options: Pick<AuthorityGatewayOptions, 'realm' | 'clientApplicationIds' | 'tokenRefusal'>): string[] {
  if ('discoveryBase' in authority && authority.discoveryBase !== undefined) {
    throw new TypeError(`apiManagementKeySourceBranches: authority ${authority.name} uses discoveryBase, a local stand-in API Management cannot reach`);
  }
  const { sources, routes } = buildAuthorityRoutes([authority]);
  return sources.map((source) => {
    const issuers = routes
      .filter((route) => route.source === source || (route.source instanceof Map && [...route.source.values()].includes(source)))
      .flatMap((route) => exactIssuers(route.issuer, authority));
    return keySourceBranch(rule, source, issuers, options);
  });
}

/** A `{tenantid}` issuer as the exact issuer of every allowed tenant; refused when any tenant is allowed (a pattern). */
function exactIssuers(issuer: string, authority: AuthorityConfig): string[] {
  if (!issuer.includes(TENANT_TEMPLATE)) return [issuer];
  if (authority.kind !== 'workforce' || authority.tenant.kind !== 'multi' || authority.tenant.allowedTenants === 'any') {
    throw new TypeError(`apiManagementKeySourceBranches: authority ${authority.name} accepts any tenant, which exact issuers cannot express: list its allowed tenants`);
  }
  return authority.tenant.allowedTenants.map((tenant) => issuer.replace(TENANT_TEMPLATE, tenant));
}

function keySourceBranch(rule: MethodRule, source: KeySource, issuers: readonly string[], options: Pick<AuthorityGatewayOptions, 'realm' | 'clientApplicationIds' | 'tokenRefusal'>): string {
  const { authority } = source;
  const discovery = source.discoveryUrl ?? `${source.instance}/${source.tenant}/v2.0/.well-known/openid-configuration`;
  const issued = issuers.map((issuer) => `(string)context.Variables["${ISSUER_VARIABLE}"] == ${csharpString(issuer)}`).join(' || ');
  const flow = source.userFlow === undefined ? '' : ` && string.Equals((string)context.Variables["${USER_FLOW_VARIABLE}"], ${csharpString(source.userFlow)}, StringComparison.OrdinalIgnoreCase)`;
  const condition = issuers.length > 1 && flow !== '' ? `(${issued})${flow}` : `${issued}${flow}`;
  const jwt = (id: string, status: '401' | '403', claims?: readonly string[], output?: string) =>
    validateJwt({ id, status, discovery, issuers, audiences: authority.audiences, claims, output });

  const steps = [jwt(TOKEN_POLICY, '401', undefined, TOKEN_VARIABLE)];
  const apps = authority.allowedClientApps ?? options.clientApplicationIds;
  if (apps && apps.length > 0) steps.push(apiManagementClientAppCheck(apps, options));
  if (!('anyValidToken' in rule)) {
    const forbidden = insufficientScope(options.realm, wantedScope(rule));
    const delegatedStep = rule.scopes ? jwt(`${PERMISSION_POLICY}-delegated`, '403', [claim('scp', rule.scopes, ' '), ...(rule.userRoles ? [claim('roles', rule.userRoles)] : [])]) : forbidden;
    const appStep = rule.appRoles ? jwt(`${PERMISSION_POLICY}-app`, '403', [claim('roles', rule.appRoles)]) : forbidden;
    steps.push(choose([[`${TOKEN}.Claims.ContainsKey("scp")`, delegatedStep]], appStep));
  }
  return `<when condition="${attr(`@(${condition})`)}">\n${indent(steps.join('\n'), 2)}\n</when>`;
}

/**
 * The caller-app allow-list validate-jwt has no element for (azp in v2 tokens, appid in
 * v1), on one line so a deployment tool can find and replace it whole.
 */
export function apiManagementClientAppCheck(apps: readonly string[], options: Pick<AuthorityGatewayOptions, 'realm' | 'tokenRefusal'>): string {
  const list = `new string[] { ${apps.map(csharpString).join(', ')} }`;
  const refusal = problem(options.tokenRefusal, bearer(options.realm, 'invalid_token', options.tokenRefusal.detail));
  return choose([[`!${list}.Contains(${CALLER_APP})`, refusal]]).replace(/\n\s*/g, '');
}

function validateJwt(v: { id: string; status: '401' | '403'; discovery: string; issuers: readonly string[]; audiences: readonly string[]; claims: readonly string[] | undefined; output: string | undefined }): string {
  const children = [
    `<openid-config url="${attr(v.discovery)}" />`,
    `<audiences>\n${v.audiences.map((audience) => `  <audience>${text(audience)}</audience>`).join('\n')}\n</audiences>`,
    `<issuers>\n${v.issuers.map((issuer) => `  <issuer>${text(issuer)}</issuer>`).join('\n')}\n</issuers>`,
    ...(v.claims ? [`<required-claims>\n${indent(v.claims.join('\n'), 2)}\n</required-claims>`] : []),
  ];
  const output = v.output ? ` output-token-variable-name="${attr(v.output)}"` : '';
  return `<validate-jwt id="${attr(v.id)}" header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="${v.status}" require-expiration-time="true" require-signed-tokens="true"${output}>
${indent(children.join('\n'), 2)}
</validate-jwt>`;
}

function wantedScope(rule: MethodRule): string | undefined {
  if ('anyValidToken' in rule) return undefined;
  const wanted = [...(rule.appRoles ? requirementNames(rule.appRoles) : []), ...(rule.scopes ? requirementNames(rule.scopes) : [])];
  return [...new Set(wanted)].join(' ');
}

function authorityPolicy(rule: MethodRule, branches: string, options: AuthorityGatewayOptions): string {
  const forbidden = insufficientScope(options.realm, wantedScope(rule));
  const missing = problem(REQUEST_FAILURES.token_missing, `Bearer realm="${challengeText(options.realm)}"`);
  const refused = problem(options.tokenRefusal, bearer(options.realm, 'invalid_token', options.tokenRefusal.detail));
  const noHeader = '!context.Request.Headers.ContainsKey("Authorization")';
  const steps = [
    `<set-variable name="${ISSUER_VARIABLE}" value="${attr(`@{ ${UNVERIFIED} return token == null ? "" : (token.Issuer ?? ""); }`)}" />`,
    `<set-variable name="${USER_FLOW_VARIABLE}" value="${attr(`@{ ${UNVERIFIED} return token == null ? "" : token.Claims.GetValueOrDefault("tfp", token.Claims.GetValueOrDefault("acr", "")); }`)}" />`,
    // No branch claims the token (another issuer, an authority the method leaves out, no token at all): refused here.
    `<choose>\n${indent(branches, 2)}\n  <otherwise>\n${indent(choose([[noHeader, missing]], refused), 4)}\n  </otherwise>\n</choose>`,
  ];
  if ('anyValidToken' in rule) {
    steps.push(choose([[`!${TOKEN}.Claims.ContainsKey("roles") && !${TOKEN}.Claims.ContainsKey("scp")`, forbidden]]));
  } else if (rule.tenantRouteParam !== undefined) {
    const parameter = `context.Request.MatchedParameters.GetValueOrDefault("${rule.tenantRouteParam}", "")`;
    steps.push(choose([[`!string.Equals(${parameter}, ${TOKEN}.Claims.GetValueOrDefault("tid", ""), StringComparison.OrdinalIgnoreCase)`, problem(REQUEST_FAILURES.tenant_mismatch, undefined)]]));
  }
  steps.push(
    `<rate-limit-by-key calls="${attr(options.rateLimit.calls)}" renewal-period="${attr(options.rateLimit.renewalPeriodSeconds)}" counter-key="${attr(`@(${CALLER_APP})`)}" retry-after-header-name="Retry-After" />`,
  );
  const onError = choose([
    [`context.LastError.PolicyId == "${TOKEN_POLICY}" && ${noHeader}`, missing],
    [`context.LastError.PolicyId == "${TOKEN_POLICY}"`, refused],
    [`context.LastError.PolicyId.StartsWith("${PERMISSION_POLICY}")`, forbidden],
  ]);
  return policyDocument(steps.join('\n'), onError);
}
