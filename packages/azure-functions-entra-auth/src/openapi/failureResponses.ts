import type { MethodRule } from '../authz/authPolicy';
import { REQUEST_FAILURES, TOKEN_FAILURES } from '../errors/failureCodes';
import type { FailureDefinition } from '../errors/failureDefinition';
import type { OpenApiObject } from './documentTypes';

export const PROBLEM_SCHEMA_NAME = 'Problem';

/** The RFC 9457 body problemResponse writes; codes and extra members vary by answer. */
export const PROBLEM_SCHEMA: OpenApiObject = {
  type: 'object',
  description: 'An RFC 9457 problem. `code` is stable: clients branch on it; `detail` is fixed text; quote `invocationId` to support.',
  required: ['type', 'title', 'status', 'code', 'detail', 'invocationId'],
  properties: {
    type: { type: 'string', const: 'about:blank' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
    detail: { type: 'string' },
    invocationId: { type: 'string' },
    required: {
      description: 'On insufficient_scope: the permissions that would satisfy the operation.',
      oneOf: [
        { type: 'object', required: ['anyOf'], properties: { anyOf: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
        { type: 'object', required: ['allOf'], properties: { allOf: { type: 'array', items: { type: 'string' } } }, additionalProperties: false },
      ],
    },
    field: { type: 'string', description: 'The request field that was refused.' },
  },
};

export const HEADERS: OpenApiObject = {
  'WWW-Authenticate': {
    description: 'RFC 6750 §3 challenge: `Bearer realm="{App ID URI}"`, with `error`, `error_description` and, on insufficient_scope, the `scope` that would do.',
    required: true,
    schema: { type: 'string', pattern: '^Bearer realm="' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string', pattern: '^[1-9][0-9]*$' } },
};

/** What the package itself can answer on a protected operation, before and around the app's handler. */
export function packageFailures(rule: MethodRule): FailureDefinition[] {
  const tokenFailures = Object.values(TOKEN_FAILURES) as FailureDefinition[];
  const { token_missing, invalid_request, insufficient_scope, tenant_mismatch, internal_error } = REQUEST_FAILURES;
  const tenantScoped = !('anyValidToken' in rule) && rule.tenantRouteParam !== undefined;
  return [token_missing, invalid_request, ...tokenFailures, insufficient_scope, ...(tenantScoped ? [tenant_mismatch] : []), internal_error];
}

/**
 * The problem answers of one operation, one per status: the codes it can carry, and
 * the headers: `WWW-Authenticate` wherever a code there challenges (required when all
 * do), `Retry-After` wherever one is retryable.
 */
export function failureResponses(failures: readonly FailureDefinition[]): Record<string, OpenApiObject> {
  const byStatus = new Map<number, FailureDefinition[]>();
  for (const failure of failures) {
    const list = byStatus.get(failure.status) ?? [];
    if (!list.some((known) => known.code === failure.code)) list.push(failure);
    byStatus.set(failure.status, list);
  }
  const responses: Record<string, OpenApiObject> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, OpenApiObject> = {};
    const challenging = list.filter((failure) => failure.challenge !== 'none');
    if (challenging.length > 0) headers['WWW-Authenticate'] = header('WWW-Authenticate', challenging.length === list.length);
    const retryable = list.filter((failure) => failure.retryable);
    if (retryable.length > 0) headers['Retry-After'] = header('Retry-After', retryable.length === list.length);
    responses[String(status)] = {
      description: list.map((failure) => `\`${failure.code}\`: ${failure.detail}`).join('\n\n'),
      ...(Object.keys(headers).length > 0 && { headers }),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` },
              { type: 'object', properties: { status: { const: status }, code: { enum: list.map((failure) => failure.code) } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

function header(name: string, required: boolean): OpenApiObject {
  // A required header is the shared one; an optional one says so in place (a $ref cannot be overridden in part).
  return required ? { $ref: `#/components/headers/${name}` } : { ...(HEADERS[name] as OpenApiObject), required: false };
}
