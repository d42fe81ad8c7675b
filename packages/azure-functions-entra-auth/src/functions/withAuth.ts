import type { HttpHandler, HttpMethod, HttpRequest, HttpResponse, HttpResponseInit, InvocationContext } from '@azure/functions';
import { authorize, type AuthorizeOptions } from '../authz/authorize';
import type { AuthPolicy, MethodRule } from '../authz/authPolicy';
import { principalFrom, type Principal } from '../authz/principal';
import { AuthError } from '../errors/authErrors';
import { REQUEST_FAILURES } from '../errors/failureCodes';
import { Refusal, type Failure } from '../errors/refusal';
import type { RevocationCheck } from '../revocation/revocationCheck';
import type { AccessTokenVerifier, VerifiedAccessToken } from '../verify/verifiedAccessToken';
import type { AuthFailureEvent, AuthObserver } from './authEvents';
import { extractBearerToken } from './bearerToken';
import { answerFailure, requestSite } from './failureAnswer';
import { serialiseJsonBody } from './serialiseJsonBody';

/** A handler that runs only for an authorized caller, and receives who that caller is. */
export type AuthenticatedHandler = (
  request: HttpRequest,
  context: InvocationContext,
  principal: Principal,
) => Promise<HttpResponseInit | HttpResponse> | HttpResponseInit | HttpResponse;

/** One method of a protected route: its rule and the handler that runs when the rule is met. */
export interface ProtectedMethod {
  readonly rule: MethodRule;
  readonly handler: AuthenticatedHandler;
}

/** A route's methods, each with its rule and handler: the one place a method is resolved. */
export type ProtectedMethods = ReadonlyMap<string, ProtectedMethod>;

export interface GuardOptions {
  readonly verifier: AccessTokenVerifier;
  readonly observer: AuthObserver;
  /** The `realm` of every challenge, e.g. the App ID URI. */
  readonly realm: string;
  readonly authorize?: AuthorizeOptions;
  /** The deny list, run on every verified token (cached ones too) before authorization. */
  readonly revocation?: RevocationCheck;
}

/**
 * The adapter between @azure/functions and the framework-free verifier and policy:
 * look the method up, extract the token (RFC 6750 §2.1), verify it, authorize the
 * method, then call the method's handler. Each refusal is a complete Failure;
 * answerFailure turns it into the RFC 6750 / RFC 9457 answer and the event reported
 * to the observer. No handler runs for a refused request.
 */
export function createGuard(options: GuardOptions): (methods: ProtectedMethods) => HttpHandler {
  const { verifier, observer, realm, revocation } = options;
  const authorizeOptions = options.authorize ?? {};

  return (methods) => {
    const allow = Object.freeze([...methods.keys()]);
    return async (request, context) => {
      const site = requestSite(request, context);
      const entry = methods.get(request.method);
      const outcome = entry
        ? await authenticate(request, context, entry.rule)
        : new Refusal(REQUEST_FAILURES.method_not_allowed, 'policy.method', 'no rule for this method on this route', { allow });
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
            authority: principal.authority,
            ...(principal.userFlow !== undefined && { userFlow: principal.userFlow }),
          },
          context,
        );
      } catch {
        // Telemetry must never fail a request.
      }
      try {
        return serialiseJsonBody(await (entry as ProtectedMethod).handler(request, context, principal));
      } catch (error) {
        context.error(`Unhandled error in ${context.functionName}: ${error instanceof Error ? error.message : 'unknown error'}`);
        // A fault of the handler, not an authorization failure: answered the same way, not reported as one.
        return answerFailure(new Refusal(REQUEST_FAILURES.internal_error, 'handler', 'unhandled handler error', { cause: error }), site, realm).response;
      }
    };
  };

  async function authenticate(request: HttpRequest, context: InvocationContext, rule: MethodRule): Promise<Principal | Failure> {
    const extracted = extractBearerToken(request);
    if (extracted.kind === 'absent') return new Refusal(REQUEST_FAILURES.token_missing, 'header.authorization', 'no bearer token in the request');
    if (extracted.kind === 'invalid_request') {
      return new Refusal(REQUEST_FAILURES.invalid_request, extracted.check, extracted.description, { description: extracted.description });
    }
    let verified: VerifiedAccessToken;
    try {
      verified = await verifier.verify(extracted.token);
    } catch (error) {
      if (error instanceof AuthError) return error;
      context.error(`Token verification failed unexpectedly: ${error instanceof Error ? error.message : 'unknown error'}`);
      return new Refusal(REQUEST_FAILURES.internal_error, 'verifier', 'unexpected verifier failure', { cause: error });
    }
    // Here, not in the verifier: the verified-token cache sits inside the verifier, so a cached token is checked too.
    if (revocation) {
      // Synchronous while the rules are fresh: no extra promise turn then.
      const checked = revocation(verified);
      const revoked = checked instanceof Promise ? await checked : checked;
      if (revoked) return revoked;
    }
    const principal: Principal = principalFrom(verified);
    const decision = authorize(principal, rule, request.params, authorizeOptions);
    return decision.allowed ? principal : decision.refusal;
  }
}

/** The methods of a policy, each paired with the one handler. */
export function methodsOf(policy: AuthPolicy, handlerFor: (method: HttpMethod) => AuthenticatedHandler): ProtectedMethods {
  const methods = new Map<string, ProtectedMethod>();
  for (const [method, rule] of Object.entries(policy) as [HttpMethod, MethodRule | undefined][]) {
    if (rule !== undefined) methods.set(method, Object.freeze({ rule, handler: handlerFor(method) }));
  }
  return methods;
}

function report(observer: AuthObserver, context: InvocationContext, event: AuthFailureEvent): void {
  try {
    observer.onFailure(event, context);
  } catch {
    // Telemetry must never fail a request.
  }
}
