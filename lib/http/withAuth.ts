import type { HttpHandler, HttpMethod, HttpRequest, HttpResponse, HttpResponseInit, InvocationContext } from '@azure/functions';
import { authorize } from '../authz/authorize';
import { requirementNames, type AuthPolicy, type MethodRule, type Requirement } from '../authz/authPolicy';
import { principalFrom, type Principal } from '../authz/principal';
import { AuthError, KeysUnavailableError } from '../errors/authErrors';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../verify/verifiedAccessToken';
import type { AuthFailureEvent, AuthObserver } from './authEvents';
import { bearerChallenge } from './bearerChallenge';
import { extractBearerToken } from './bearerToken';
import { clientDetail } from './clientDetails';
import { problemResponse } from './problem';

/** A handler that runs only for an authorized caller, and receives who that caller is. */
export type AuthenticatedHandler = (
  request: HttpRequest,
  context: InvocationContext,
  principal: Principal,
) => Promise<HttpResponseInit | HttpResponse> | HttpResponseInit | HttpResponse;

export type WithAuth = (handler: AuthenticatedHandler, policy: AuthPolicy) => HttpHandler;

export interface WithAuthOptions {
  readonly verifier: AccessTokenVerifier;
  readonly observer: AuthObserver;
  /** The `realm` of every challenge, e.g. the App ID URI. */
  readonly realm: string;
}

type Failure = Omit<AuthFailureEvent, 'method' | 'route' | 'functionName' | 'invocationId'> & { readonly response: HttpResponseInit };

/**
 * The adapter between @azure/functions and the framework-free verifier and policy:
 * extract the token (RFC 6750 §2.1), verify it, authorize the method, then call the
 * handler. Every refusal is answered per RFC 6750 with an RFC 9457 body and
 * reported to the observer; the handler never runs for a refused request.
 */
export function createWithAuth(options: WithAuthOptions): WithAuth {
  const { verifier, observer, realm } = options;

  return (handler, policy) =>
    async (request, context) => {
      const rule = Object.hasOwn(policy, request.method) ? policy[request.method as HttpMethod] : undefined;
      const outcome = rule ? await authenticate(request, context, rule) : methodNotAllowed(policy, context);
      if ('response' in outcome) {
        const { response, ...failure } = outcome;
        report(observer, context, { ...failure, method: request.method, route: routeOf(context), functionName: context.functionName, invocationId: context.invocationId });
        return response;
      }
      const principal = outcome;
      try {
        observer.onSuccess?.(
          {
            method: request.method,
            route: routeOf(context),
            functionName: context.functionName,
            tenantId: principal.tenantId,
            clientAppId: principal.clientAppId,
            tokenVersion: principal.tokenVersion,
            appOnly: principal.isAppOnly,
          },
          context,
        );
      } catch {
        // Telemetry must never fail a request.
      }
      try {
        return await handler(request, context, principal);
      } catch (error) {
        context.error(`Unhandled error in ${context.functionName}: ${error instanceof Error ? error.message : 'unknown error'}`);
        return problemResponse(500, 'internal_error', 'The request failed; quote the invocation ID to support.', context.invocationId);
      }
    };

  async function authenticate(request: HttpRequest, context: InvocationContext, rule: MethodRule): Promise<Principal | Failure> {
    const extracted = extractBearerToken(request);
    if (extracted.kind === 'absent') {
      return refuse(401, 'token_missing', 'header.authorization', 'no bearer token in the request', context, { 'www-authenticate': bearerChallenge({ realm }) });
    }
    if (extracted.kind === 'invalid_request') {
      return refuse(400, 'invalid_request', extracted.check, extracted.description, context, {
        'www-authenticate': bearerChallenge({ realm, error: 'invalid_request', errorDescription: extracted.description }),
      });
    }
    let verified: VerifiedAccessToken;
    try {
      verified = await verifier.verify(extracted.token);
    } catch (error) {
      return verificationFailure(error, context);
    }
    const principal = principalFrom(verified);
    const decision = authorize(principal, rule, request.params);
    if (decision.allowed) return principal;
    const facts = { tenantId: verified.tenantId, clientAppId: verified.clientAppId, tokenVersion: verified.version, kid: verified.kid };
    if (decision.code === 'tenant_mismatch') {
      return { ...refuse(403, 'tenant_mismatch', decision.check, 'route tenant differs from the token tenant', context), ...facts };
    }
    return { ...insufficientScope(decision.unmet, decision.check, context), ...facts };
  }

  /** 403 with the permission values that would have sufficed, in the challenge's `scope` and the body. */
  function insufficientScope(unmet: Requirement | undefined, check: string, context: InvocationContext): Failure {
    const errorDescription = clientDetail('insufficient_scope');
    if (!unmet) {
      return refuse(403, 'insufficient_scope', check, 'this kind of caller (app-only or delegated) is not accepted here', context, {
        'www-authenticate': bearerChallenge({ realm, error: 'insufficient_scope', errorDescription }),
      });
    }
    const mode = 'anyOf' in unmet ? 'anyOf' : 'allOf';
    const names = requirementNames(unmet);
    const scope = names.join(' ');
    return refuse(
      403,
      'insufficient_scope',
      check,
      `caller lacks ${mode === 'anyOf' ? 'any of' : 'all of'} ${scope}`,
      context,
      { 'www-authenticate': bearerChallenge({ realm, error: 'insufficient_scope', errorDescription, scope }) },
      { required: { [mode]: names } },
    );
  }

  function verificationFailure(error: unknown, context: InvocationContext): Failure {
    if (!(error instanceof AuthError)) {
      context.error(`Token verification failed unexpectedly: ${error instanceof Error ? error.message : 'unknown error'}`);
      return refuse(500, 'internal_error', 'verifier', 'unexpected verifier failure', context);
    }
    const facts = definedFacts({ tenantId: error.facts.tenantId, clientAppId: error.facts.clientAppId, tokenVersion: error.facts.version, kid: error.facts.kid });
    if (error instanceof KeysUnavailableError) {
      return { ...refuse(503, error.code, error.check, error.message, context, { 'retry-after': String(error.retryAfterSeconds) }), ...facts };
    }
    const detail = clientDetail(error.code);
    return {
      ...refuse(401, error.code, error.check, error.message, context, {
        'www-authenticate': bearerChallenge({ realm, error: 'invalid_token', errorDescription: detail }),
      }),
      ...facts,
    };
  }

  function methodNotAllowed(policy: AuthPolicy, context: InvocationContext): Failure {
    return refuse(405, 'method_not_allowed', 'policy.method', 'no auth policy entry for this method', context, { allow: Object.keys(policy).join(', ') });
  }
}

function refuse(
  status: number,
  code: string,
  check: string,
  message: string,
  context: InvocationContext,
  headers: Record<string, string> = {},
  extra?: Record<string, unknown>,
): Failure {
  return { code, check, status, message, response: problemResponse(status, code, clientDetail(code), context.invocationId, { headers, ...(extra && { extra }) }) };
}

function definedFacts(facts: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(facts).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function routeOf(context: InvocationContext): string {
  const route = (context.options.trigger as { route?: unknown }).route;
  return typeof route === 'string' ? route : 'unknown';
}

function report(observer: AuthObserver, context: InvocationContext, event: AuthFailureEvent): void {
  try {
    observer.onFailure(event, context);
  } catch {
    // Telemetry must never fail a request.
  }
}
