import { requirementNames, type Requirement } from '../authz/authPolicy';
import { REQUEST_FAILURES } from '../errors/failureCodes';
import type { FailureDefinition } from '../errors/failureDefinition';

/**
 * The XML pieces every generated API Management policy is made of (policy sections,
 * required claims, choose, RFC 6750 challenges with RFC 9457 bodies) and the escaping
 * they need, shared by the single-tenant and the several-authority policies.
 */
/** A policy document: each section inherits the API's (`<base />`), then holds this operation's own steps. */
export function policyDocument(inbound: string | undefined, onError: string | undefined): string {
  const section = (name: string, own: string | undefined) => `  <${name}>\n    <base />\n${own === undefined ? '' : `${indent(own, 4)}\n`}  </${name}>`;
  return `<policies>\n${section('inbound', inbound)}\n${section('backend', undefined)}\n${section('outbound', undefined)}\n${section('on-error', onError)}\n</policies>\n`;
}

/** A required claim: `scp` is one space-separated string, `roles` an array. */
export function claim(name: 'scp' | 'roles', requirement: Requirement, separator?: string): string {
  const match = 'anyOf' in requirement ? 'any' : 'all';
  const values = requirementNames(requirement).map((value) => `  <value>${text(value)}</value>`).join('\n');
  return `<claim name="${name}" match="${match}"${separator === undefined ? '' : ` separator="${separator}"`}>\n${values}\n</claim>`;
}

export function choose(whens: readonly (readonly [string, string])[], otherwise?: string): string {
  const branches = whens.map(([condition, body]) => `  <when condition="${attr(`@(${condition})`)}">\n${indent(body, 4)}\n  </when>`);
  const rest = otherwise === undefined ? [] : [`  <otherwise>\n${indent(otherwise, 4)}\n  </otherwise>`];
  return `<choose>\n${[...branches, ...rest].join('\n')}\n</choose>`;
}

export function insufficientScope(realm: string, scope: string | undefined): string {
  const { insufficient_scope } = REQUEST_FAILURES;
  return problem(insufficient_scope, bearer(realm, 'insufficient_scope', insufficient_scope.detail, scope));
}

export function bearer(realm: string, error: string, description: string, scope?: string): string {
  return `Bearer realm="${challengeText(realm)}", error="${error}", error_description="${challengeText(description)}"${scope ? `, scope="${challengeText(scope)}"` : ''}`;
}

/** The function's answer shape: RFC 9457 body, its code and fixed detail, the request ID in place of the invocation ID. */
export function problem(failure: FailureDefinition, challenge: string | undefined): string {
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

export const indent = (block: string, spaces: number) => block.split('\n').map((line) => (line === '' ? line : ' '.repeat(spaces) + line)).join('\n');
export const text = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const attr = (value: string) => text(value).replace(/"/g, '&quot;');
/** RFC 6750 attribute text: no quote, no backslash, printable ASCII. */
export const challengeText = (value: string) => value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '');
export const csharpString = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
