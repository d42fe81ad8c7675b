import type { HttpHandler, HttpMethod, HttpRequest, HttpResponse, HttpResponseInit, InvocationContext } from '@azure/functions';
import { authorize, type AuthorizationDecision } from '../authz/authorize';
import type { AuthPolicy, MethodRule } from '../authz/authPolicy';
import { principalFrom, type Principal } from '../authz/principal';
import { AuthError, type TokenFacts } from '../errors/authErrors';
import { Refusal, type Failure } from '../errors/refusal';
import { tokenFacts, type AccessTokenVerifier, type VerifiedAccessToken } from '../verify/verifiedAccessToken';
import type { AuthFailureEvent, AuthObserver } from './authEvents';
import { extractBearerToken } from './bearerToken';
import { NO_APP_ROLE_DETAIL } from './clientDetails';
import { answerFailure, requestSite } from './failureAnswer';
import { serialiseJsonBody } from './serialiseJsonBody';

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
  /** AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS (see AuthSettings); false unless set. */
  readonly allowTokensWithoutPermissions?: boolean;
}

/**
 * The adapter between @azure/functions and the framework-free verifier and policy:
 * extract the token (RFC 6750 §2.1), verify it, authorize the method, then call the
 * handler. Each refusal is a complete Failure; answerFailure turns it into the
 * RFC 6750 / RFC 9457 answer and the event reported to the observer. The handler
 * never runs for a refused request.
 */
export function createWithAuth(options: WithAuthOptions): WithAuth {
  const { verifier, observer, realm } = options;
  const authorizeOptions = { allowTokensWithoutPermissions: options.allowTokensWithoutPermissions === true };

  return (handler, policy) =>
    async (request, context) => {
      const site = requestSite(request, context);
      const rule = Object.hasOwn(policy, request.method) ? policy[request.method as HttpMethod] : undefined;
      const outcome = rule
        ? await authenticate(request, context, rule)
        : new Refusal('method_not_allowed', 'policy.method', 'no auth policy entry for this method', { allow: Object.keys(policy) });
      if (outcome instanceof Refusal || outcome instanceof AuthError) {
        const { response, event } = answerFailure(outcome, site, realm);
        report(observer, context, event);
        return response;
      }
      const principal = outcome;
      try {
        observer.onSuccess?.(
          {
            method: site.method,
            route: site.route,
            functionName: site.functionName,
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
        return serialiseJsonBody(await handler(request, context, principal));
      } catch (error) {
        context.error(`Unhandled error in ${context.functionName}: ${error instanceof Error ? error.message : 'unknown error'}`);
        // A fault of the handler, not an authorization failure: answered the same way, not reported as one.
        return answerFailure(new Refusal('internal_error', 'handler', 'unhandled handler error', { cause: error }), site, realm).response;
      }
    };

  async function authenticate(request: HttpRequest, context: InvocationContext, rule: MethodRule): Promise<Principal | Failure> {
    const extracted = extractBearerToken(request);
    if (extracted.kind === 'absent') return new Refusal('token_missing', 'header.authorization', 'no bearer token in the request');
    if (extracted.kind === 'invalid_request') {
      return new Refusal('invalid_request', extracted.check, extracted.description, { description: extracted.description });
    }
    let verified: VerifiedAccessToken;
    try {
      verified = await verifier.verify(extracted.token);
    } catch (error) {
      if (error instanceof AuthError) return error;
      context.error(`Token verification failed unexpectedly: ${error instanceof Error ? error.message : 'unknown error'}`);
      return new Refusal('internal_error', 'verifier', 'unexpected verifier failure', { cause: error });
    }
    const principal = principalFrom(verified);
    const decision = authorize(principal, rule, request.params, authorizeOptions);
    return decision.allowed ? principal : refusalFor(decision, principal, tokenFacts(verified));
  }
}

/** The refusal for a policy decision, with the message for logs and, where one helps, a specific description. */
function refusalFor(decision: Exclude<AuthorizationDecision, { allowed: true }>, principal: Principal, facts: TokenFacts): Refusal {
  const { code, check, unmet } = decision;
  if (code === 'tenant_mismatch') return new Refusal(code, check, 'route tenant differs from the token tenant', { facts });
  if (check === 'caller.no_permissions') {
    const required = unmet && { required: unmet };
    return principal.isAppOnly
      ? new Refusal(code, check, 'app-only token without any app role (roles is empty)', { facts, description: NO_APP_ROLE_DETAIL, ...required })
      : new Refusal(code, check, 'delegated token without any scope or role', { facts, ...required });
  }
  if (!unmet) return new Refusal(code, check, `this kind of caller (${principal.isAppOnly ? 'app-only' : 'delegated'}) is not accepted here`, { facts });
  const names = 'anyOf' in unmet ? `any of ${unmet.anyOf.join(' ')}` : `all of ${unmet.allOf.join(' ')}`;
  return new Refusal(code, check, `caller lacks ${names}`, { facts, required: unmet });
}

function report(observer: AuthObserver, context: InvocationContext, event: AuthFailureEvent): void {
  try {
    observer.onFailure(event, context);
  } catch {
    // Telemetry must never fail a request.
  }
}
