import { randomUUID } from 'node:crypto';
import { GUID_PATTERN } from 'azure-functions-entra-auth/settings';

/** One failure as Entra reports it: the OAuth `error`, the AADSTS number, the HTTP status and the message. */
export interface EntraProblem {
  readonly aadsts: number;
  readonly error: string;
  readonly status: number;
  readonly message: string;
}

/** The JSON body of an Entra error response (token and discovery endpoints alike). */
export interface EntraErrorBody {
  readonly error: string;
  /** Starts with `AADSTSnnnn:`, then Trace ID, Correlation ID and Timestamp lines, as Entra writes it. */
  readonly error_description: string;
  readonly error_codes: readonly number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
}

const problem = (aadsts: number, error: string, status: number, message: string): EntraProblem => Object.freeze({ aadsts, error, status, message });

/**
 * The AADSTS errors the stand-in produces, with the codes, OAuth errors and statuses
 * Entra uses for them (see Microsoft's "AADSTS error codes" reference).
 */
export const problems = {
  missingParameter: (parameter: string) => problem(900144, 'invalid_request', 400, `The request body must contain the following parameter: '${parameter}'.`),
  malformedRequest: () => problem(9002313, 'invalid_request', 400, 'Invalid request. Request is malformed or invalid.'),
  postOnly: (method: string) => problem(900561, 'invalid_request', 400, `The endpoint only accepts POST requests. Received a ${method} request.`),
  unsupportedGrantType: (grantType: string) => problem(70003, 'unsupported_grant_type', 400, `The app requested an unsupported grant type '${grantType}'.`),
  tenantNotFound: (tenant: string, error: 'invalid_tenant' | 'invalid_request') =>
    problem(90002, error, 400, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  unknownInstance: () => problem(50049, 'invalid_instance', 400, 'Unknown or invalid instance.'),
  noTenantInRequest: () => problem(50059, 'invalid_request', 400, 'No tenant-identifying information found in either the request or implied by any provided credentials.'),
  unknownClient: (clientId: string, tenant: string) =>
    problem(
      700016,
      'unauthorized_client',
      400,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  missingClientCredential: () => problem(7000218, 'invalid_client', 401, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  invalidClientSecret: (clientId: string) =>
    problem(
      7000215,
      'invalid_client',
      401,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  scopeNotDefault: (scope: string) =>
    problem(
      1002012,
      'invalid_scope',
      400,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  scopeWithSeveralResources: (scope: string) =>
    problem(28000, 'invalid_scope', 400, `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`),
  invalidAssertion: () => problem(50013, 'invalid_grant', 400, 'Assertion failed signature validation.'),
  assertionNotDelegated: () => problem(50027, 'invalid_grant', 400, 'JWT token is invalid or malformed: the on-behalf-of assertion must be a token of a signed-in user.'),
  scopeNotDeclared: (scope: string) => problem(70011, 'invalid_scope', 400, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  invalidClaimsRequest: () => problem(90014, 'invalid_request', 400, "The request body's 'claims' parameter is not a valid JSON claims request."),
  unknownResource: (resource: string, tenantName: string) =>
    problem(
      500011,
      'invalid_resource',
      400,
      `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
} as const;

export interface ErrorContext {
  /** The stand-in's origin, for `error_uri`. */
  readonly origin: string;
  readonly now: Date;
  /** The caller's `client-request-id`, echoed as the correlation ID when it is a GUID (as Entra does). */
  readonly clientRequestId?: string | undefined;
}

/** Renders a problem as Entra's error JSON, with fresh trace and correlation IDs. */
export function entraErrorBody(p: EntraProblem, context: ErrorContext): EntraErrorBody {
  const timestamp = context.now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const traceId = randomUUID();
  const correlationId = context.clientRequestId !== undefined && GUID_PATTERN.test(context.clientRequestId) ? context.clientRequestId.toLowerCase() : randomUUID();
  return {
    error: p.error,
    error_description: `AADSTS${p.aadsts}: ${p.message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [p.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${context.origin}/error?code=${p.aadsts}`,
  };
}
