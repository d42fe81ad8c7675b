import type { HttpMethod } from '@azure/functions';
import { requirementNames, type MethodRule, type Requirement } from '../authz/authPolicy';
import { REQUEST_FAILURES } from '../errors/failureCodes';
import type { FailureDefinition } from '../errors/failureDefinition';
import type { DocumentedRoute, OpenApiDocument } from './documentTypes';
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

/** A policy document: each section inherits the API's (`<base />`), then holds this operation's own steps. */
function policyDocument(inbound: string | undefined, onError: string | undefined): string {
  const section = (name: string, own: string | undefined) => `  <${name}>\n    <base />\n${own === undefined ? '' : `${indent(own, 4)}\n`}  </${name}>`;
  return `<policies>\n${section('inbound', inbound)}\n${section('backend', undefined)}\n${section('outbound', undefined)}\n${section('on-error', onError)}\n</policies>\n`;
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

/** A required claim: `scp` is one space-separated string, `roles` an array. */
function claim(name: 'scp' | 'roles', requirement: Requirement, separator?: string): string {
  const match = 'anyOf' in requirement ? 'any' : 'all';
  const values = requirementNames(requirement).map((value) => `  <value>${text(value)}</value>`).join('\n');
  return `<claim name="${name}" match="${match}"${separator === undefined ? '' : ` separator="${separator}"`}>\n${values}\n</claim>`;
}

function choose(whens: readonly (readonly [string, string])[], otherwise?: string): string {
  const branches = whens.map(([condition, body]) => `  <when condition="${attr(`@(${condition})`)}">\n${indent(body, 4)}\n  </when>`);
  const rest = otherwise === undefined ? [] : [`  <otherwise>\n${indent(otherwise, 4)}\n  </otherwise>`];
  return `<choose>\n${[...branches, ...rest].join('\n')}\n</choose>`;
}

function insufficientScope(realm: string, scope: string | undefined): string {
  const { insufficient_scope } = REQUEST_FAILURES;
  return problem(insufficient_scope, bearer(realm, 'insufficient_scope', insufficient_scope.detail, scope));
}

function bearer(realm: string, error: string, description: string, scope?: string): string {
  return `Bearer realm="${challengeText(realm)}", error="${error}", error_description="${challengeText(description)}"${scope ? `, scope="${challengeText(scope)}"` : ''}`;
}

/** The function's answer shape: RFC 9457 body, its code and fixed detail, the request ID in place of the invocation ID. */
function problem(failure: FailureDefinition, challenge: string | undefined): string {
  const title = { 401: 'Unauthorized', 403: 'Forbidden' }[failure.status] ?? 'Error';
  const body = `new JObject(new JProperty("type", "about:blank"), new JProperty("title", "${title}"), new JProperty("status", ${failure.status}), new JProperty("code", "${failure.code}"), new JProperty("detail", ${csharpString(failure.detail)}), new JProperty("invocationId", context.RequestId.ToString())).ToString()`;
  const header = (name: string, value: string) => `  <set-header name="${name}" exists-action="override">\n    <value>${text(value)}</value>\n  </set-header>`;
  return `<return-response>
  <set-status code="${failure.status}" reason="${title}" />
${challenge === undefined ? '' : `${header('WWW-Authenticate', challenge)}\n`}${header('Content-Type', 'application/problem+json')}
${header('Cache-Control', 'no-store')}
${header('X-Content-Type-Options', 'nosniff')}
  <set-body>${text(`@(${body})`)}</set-body>
</return-response>`;
}

const indent = (block: string, spaces: number) => block.split('\n').map((line) => (line === '' ? line : ' '.repeat(spaces) + line)).join('\n');
const text = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (value: string) => text(value).replace(/"/g, '&quot;');
/** RFC 6750 attribute text: no quote, no backslash, printable ASCII. */
const challengeText = (value: string) => value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
const csharpString = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
