import type { HttpMethod } from '@azure/functions';
import type { MethodRule } from '../authz/authPolicy';
import type { FailureDefinition } from '../errors/failureDefinition';
import type { DocumentedRoute, OpenApiDocument, OpenApiDocumentInput, OpenApiObject, OperationDetails } from './documentTypes';
import { HEADERS, PROBLEM_SCHEMA, PROBLEM_SCHEMA_NAME, failureResponses, packageFailures } from './failureResponses';
import { openApiPath } from './routePath';
import { operationSecurity, securitySchemes } from './securityRequirements';

/**
 * An OpenAPI 3.1 document from a route table: one operation per route and method,
 * with what the route's policy demands as `security` and `x-entra-*`, and every
 * answer the package can give (401, 403, 400 invalid_request, 503 keys_unavailable,
 * 500) beside the app's own, as RFC 9457 problems. Pure: the same input gives the
 * same document, so a committed copy can be compared with a fresh one.
 */
export function openApiDocument(input: OpenApiDocumentInput): OpenApiDocument {
  const paths: Record<string, Record<string, OpenApiObject>> = {};
  const operationIds = new Map<string, string>();
  const routeNames = new Set(input.routes.map((route) => route.name));
  for (const name of Object.keys(input.operations ?? {})) {
    if (!routeNames.has(name)) throw new TypeError(`openApiDocument: operations name route "${name}", which is not in the route table`);
  }
  for (const route of input.routes) {
    const { path, parameters } = openApiPath(route.route);
    if (paths[path]) throw new TypeError(`openApiDocument: routes ${route.name} and another both map to ${path}`);
    const item: Record<string, OpenApiObject> = {};
    const details = input.operations?.[route.name] ?? {};
    const methods = methodsOf(route);
    for (const method of Object.keys(details)) {
      if (!methods.includes(method as HttpMethod)) throw new TypeError(`openApiDocument: operations name ${method} ${route.name}, which the route does not serve`);
    }
    for (const method of methods) {
      const operation = buildOperation(route, method, parameters, details[method] ?? {}, input.security.appIdUri);
      const id = operation.operationId as string;
      const clash = operationIds.get(id);
      if (clash) throw new TypeError(`openApiDocument: operationId ${id} is used by ${clash} and ${method} ${route.name}`);
      operationIds.set(id, `${method} ${route.name}`);
      item[method.toLowerCase()] = operation;
    }
    paths[path] = item;
  }
  return {
    openapi: '3.1.0',
    info: { ...input.info },
    servers: [...(input.servers ?? [{ url: '/api' }])],
    paths,
    components: {
      schemas: { [PROBLEM_SCHEMA_NAME]: PROBLEM_SCHEMA, ...input.schemas },
      responses: sharedProblems(paths),
      headers: HEADERS,
      securitySchemes: securitySchemes(input.security),
    },
  };
}

/**
 * A problem answer that several operations give alike (the package's 401 on every
 * protected one) is written once under components/responses and referred to:
 * `Problem401`, or `Problem403_2` for a second variant of one status. Replaces in place.
 */
function sharedProblems(paths: Record<string, Record<string, OpenApiObject>>): Record<string, OpenApiObject> {
  const uses = new Map<string, { status: string; response: OpenApiObject; count: number }>();
  const each = (visit: (responses: Record<string, OpenApiObject>, status: string, key: string) => void) => {
    for (const item of Object.values(paths)) {
      for (const operation of Object.values(item)) {
        const responses = operation.responses as Record<string, OpenApiObject>;
        for (const [status, response] of Object.entries(responses)) {
          if (!isProblem(response)) continue;
          visit(responses, status, `${status} ${JSON.stringify(response)}`);
        }
      }
    }
  };
  each((responses, status, key) => {
    const known = uses.get(key);
    if (known) known.count++;
    else uses.set(key, { status, response: responses[status] ?? {}, count: 1 });
  });
  const names = new Map<string, string>();
  const perStatus = new Map<string, number>();
  for (const [key, use] of uses) {
    if (use.count < 2) continue;
    const n = (perStatus.get(use.status) ?? 0) + 1;
    perStatus.set(use.status, n);
    names.set(key, n === 1 ? `Problem${use.status}` : `Problem${use.status}_${n}`);
  }
  const shared: Record<string, OpenApiObject> = {};
  each((responses, status, key) => {
    const name = names.get(key);
    if (name === undefined) return;
    shared[name] = responses[status] ?? {};
    responses[status] = { $ref: `#/components/responses/${name}` };
  });
  return shared;
}

const isProblem = (response: OpenApiObject) => typeof response.content === 'object' && response.content !== null && 'application/problem+json' in response.content;

/** The methods a route serves, in the route table's order. */
export function methodsOf(route: DocumentedRoute): readonly HttpMethod[] {
  return 'anonymous' in route ? route.methods : (Object.keys(route.policy) as HttpMethod[]);
}

/** The rule of a protected route's method; undefined for an anonymous route. */
export function ruleOf(route: DocumentedRoute, method: HttpMethod): MethodRule | undefined {
  return 'anonymous' in route ? undefined : route.policy[method];
}

/** `getOrders`, `deleteOrder`: the method and the route name, unless the app names the operation. */
export function defaultOperationId(route: DocumentedRoute, method: HttpMethod): string {
  return `${method.toLowerCase()}${route.name.charAt(0).toUpperCase()}${route.name.slice(1).replace(/[^A-Za-z0-9]+(.)?/g, (_all, next?: string) => (next ?? '').toUpperCase())}`;
}

function buildOperation(route: DocumentedRoute, method: HttpMethod, pathParameters: readonly string[], details: OperationDetails, appIdUri: string): OpenApiObject {
  const rule = ruleOf(route, method);
  const given = details.parameters ?? [];
  const givenPath = new Set(given.filter((p) => p.in === 'path').map((p) => String(p.name)));
  for (const name of givenPath) {
    if (!pathParameters.includes(name)) throw new TypeError(`openApiDocument: ${method} ${route.name} describes path parameter ${name}, which ${route.route} does not have`);
  }
  const parameters = [
    ...pathParameters.filter((name) => !givenPath.has(name)).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...given,
  ];
  const failures: FailureDefinition[] = [...(rule ? packageFailures(rule) : []), ...(details.failures ?? [])];
  const problems = failureResponses(failures);
  const answers = details.responses ?? { 200: { description: 'Success.' } };
  for (const status of Object.keys(answers)) {
    if (problems[status]) throw new TypeError(`openApiDocument: ${method} ${route.name} describes status ${status} both as an answer and as a failure`);
  }
  return {
    operationId: details.operationId ?? defaultOperationId(route, method),
    ...(details.summary !== undefined && { summary: details.summary }),
    ...(details.description !== undefined && { description: details.description }),
    ...(details.tags && { tags: [...details.tags] }),
    ...(parameters.length > 0 && { parameters }),
    ...(details.requestBody && { requestBody: details.requestBody }),
    responses: { ...answers, ...problems },
    ...(rule ? operationSecurity(rule, appIdUri) : { security: [] }),
  };
}
