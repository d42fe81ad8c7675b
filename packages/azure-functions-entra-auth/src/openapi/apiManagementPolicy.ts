import type { HttpMethod } from '@azure/functions';
import { requirementNames, type MethodRule } from '../authz/authPolicy';
import { REQUEST_FAILURES } from '../errors/failureCodes';
import type { FailureDefinition } from '../errors/failureDefinition';
import type { DocumentedRoute, OpenApiDocument } from './documentTypes';
import { attr, bearer, challengeText, choose, claim, indent, insufficientScope, policyDocument, problem, text } from './policyXml';
import { methodsOf, ruleOf } from './openApiDocument';
import { openApiPath } from './routePath';

/** What the gateway checks beside each route's rule. Values are written as given: a deployment tool may pass placeholders it replaces. */
export interface GatewayPolicyOptions {
  /** The one tenant whose tokens validate-azure-ad-token accepts (v1 and v2 issuers alike). */
  readonly tenantId: string;
  /** Accepted `aud` values: the client ID and the App ID URI. */
  readonly audiences: readonly string[];
  /** The realm of the challenges (the App ID URI), as the function's. */
  readonly realm: string;
  /** Caller app IDs (`azp` / `appid`) let through; omitted or empty means any. */
  readonly clientApplicationIds?: readonly string[];
  /** Calls per caller app and period, as rate-limit-by-key's attributes. */
  readonly rateLimit: { readonly calls: string; readonly renewalPeriodSeconds: string };
  /** The 401 the gateway answers for a token it refuses (it cannot say which check failed). */
  readonly tokenRefusal: FailureDefinition;
}

export interface OperationPolicy {
  readonly operationId: string;
  /** API Management's name of the operation imported from the document: the operationId lower-cased, other characters as `-`. */
  readonly operationName: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** `<policies>` for the operation (format rawxml). */
  readonly xml: string;
}

const TOKEN_VARIABLE = 'entra-token';
const TOKEN_POLICY = 'entra-token';
const PERMISSION_POLICY = 'entra-permission';

/** How API Management names an operation imported from OpenAPI. */
export const apiManagementOperationName = (operationId: string) => operationId.toLowerCase().replace(/[^a-z0-9]/g, '-');

/**
 * One API Management policy per operation, from the same route table as the document,
 * so the gateway refuses what the function would: validate-azure-ad-token for the
 * tenant, the audiences and the allowed caller apps (401), then the method's app roles
 * (app-only tokens) or delegated scopes (tokens with `scp`) as required-claims (403),
 * a caller kind the rule leaves out refused outright, the tenant route parameter
 * compared with `tid`, then rate-limit-by-key on the validated token's azp/appid.
 * Refusals are RFC 6750 challenges with RFC 9457 bodies, as the function's. The
 * caller's Authorization header is passed on untouched: the function validates again.
 * Anonymous operations get the API's policy only (`<base />`).
 */
export function apiManagementPolicies(document: OpenApiDocument, routes: readonly DocumentedRoute[], options: GatewayPolicyOptions): OperationPolicy[] {
  const policies: OperationPolicy[] = [];
  for (const route of routes) {
    const { path } = openApiPath(route.route);
    for (const method of methodsOf(route)) {
      const operation = document.paths[path]?.[method.toLowerCase()];
      const operationId = operation?.operationId;
      if (typeof operationId !== 'string') throw new TypeError(`apiManagementPolicies: the document has no operation for ${method} ${path}`);
      const rule = ruleOf(route, method);
      policies.push({ operationId, operationName: apiManagementOperationName(operationId), method, path, xml: rule ? protectedPolicy(rule, options) : ANONYMOUS_POLICY });
    }
  }
  const names = new Set<string>();
  for (const { operationName } of policies) {
    if (names.has(operationName)) throw new TypeError(`apiManagementPolicies: two operations are both named ${operationName} in API Management`);
    names.add(operationName);
  }
  return policies;
}

const ANONYMOUS_POLICY = policyDocument(undefined, undefined);

function protectedPolicy(rule: MethodRule, options: GatewayPolicyOptions): string {
  const token = `((Jwt)context.Variables["${TOKEN_VARIABLE}"])`;
  const delegated = `${token}.Claims.ContainsKey("scp")`;
  const wanted = 'anyValidToken' in rule ? undefined : [...(rule.appRoles ? requirementNames(rule.appRoles) : []), ...(rule.scopes ? requirementNames(rule.scopes) : [])];
  const scope = wanted && [...new Set(wanted)].join(' ');
  const forbidden = insufficientScope(options.realm, scope);
  const steps: string[] = [validateToken(options, TOKEN_POLICY, '401', { output: TOKEN_VARIABLE, clientApps: true })];

  if ('anyValidToken' in rule) {
    steps.push(choose([[`!${token}.Claims.ContainsKey("roles") && !${delegated}`, forbidden]]));
  } else {
    const delegatedStep = rule.scopes
      ? validateToken(options, `${PERMISSION_POLICY}-delegated`, '403', { claims: [claim('scp', rule.scopes, ' '), ...(rule.userRoles ? [claim('roles', rule.userRoles)] : [])] })
      : forbidden;
    const appStep = rule.appRoles ? validateToken(options, `${PERMISSION_POLICY}-app`, '403', { claims: [claim('roles', rule.appRoles)] }) : forbidden;
    steps.push(choose([[delegated, delegatedStep]], appStep));
    if (rule.tenantRouteParam !== undefined) {
      const parameter = `context.Request.MatchedParameters.GetValueOrDefault("${rule.tenantRouteParam}", "")`;
      steps.push(choose([[`!string.Equals(${parameter}, ${token}.Claims.GetValueOrDefault("tid", ""), StringComparison.OrdinalIgnoreCase)`, problem(REQUEST_FAILURES.tenant_mismatch, undefined)]]));
    }
  }
  const callerApp = `${token}.Claims.GetValueOrDefault("azp", ${token}.Claims.GetValueOrDefault("appid", ""))`;
  steps.push(
    `<rate-limit-by-key calls="${attr(options.rateLimit.calls)}" renewal-period="${attr(options.rateLimit.renewalPeriodSeconds)}" counter-key="${attr(`@(${callerApp})`)}" retry-after-header-name="Retry-After" />`,
  );

  const onError = choose([
    [`context.LastError.PolicyId == "${TOKEN_POLICY}" && !context.Request.Headers.ContainsKey("Authorization")`, problem(REQUEST_FAILURES.token_missing, `Bearer realm="${challengeText(options.realm)}"`)],
    [`context.LastError.PolicyId == "${TOKEN_POLICY}"`, problem(options.tokenRefusal, bearer(options.realm, 'invalid_token', options.tokenRefusal.detail))],
    [`context.LastError.PolicyId.StartsWith("${PERMISSION_POLICY}")`, forbidden],
  ]);
  return policyDocument(steps.join('\n'), onError);
}

function validateToken(options: GatewayPolicyOptions, id: string, status: '401' | '403', extra: { output?: string; clientApps?: boolean; claims?: readonly string[] }): string {
  const apps = extra.clientApps && options.clientApplicationIds && options.clientApplicationIds.length > 0 ? options.clientApplicationIds : undefined;
  const children = [
    // On one line, so a deployment tool can find and replace the whole element.
    ...(apps ? [`<client-application-ids>${apps.map((app) => `<application-id>${text(app)}</application-id>`).join('')}</client-application-ids>`] : []),
    `<audiences>\n${options.audiences.map((audience) => `  <audience>${text(audience)}</audience>`).join('\n')}\n</audiences>`,
    ...(extra.claims ? [`<required-claims>\n${indent(extra.claims.join('\n'), 2)}\n</required-claims>`] : []),
  ];
  const output = extra.output ? ` output-token-variable-name="${attr(extra.output)}"` : '';
  return `<validate-azure-ad-token id="${attr(id)}" tenant-id="${attr(options.tenantId)}" header-name="Authorization" failed-validation-httpcode="${status}"${output}>
${indent(children.join('\n'), 2)}
</validate-azure-ad-token>`;
}

