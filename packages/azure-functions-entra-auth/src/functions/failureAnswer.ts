import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { requirementNames } from '../authz/authPolicy';
import { KeysUnavailableError } from '../errors/authErrors';
import type { Challenge } from '../errors/failureDefinition';
import { Refusal, type ClaimsChallenge, type Failure } from '../errors/refusal';
import type { AuthFailureEvent } from './authEvents';
import { bearerChallenge } from './bearerChallenge';
import { problemResponse } from './problem';

/** Where the failed request arrived: the parts of the event that are not the failure's. */
export interface RequestSite {
  readonly method: string;
  /** The route template (`invoices/{id}`), never the concrete URL. */
  readonly route: string;
  readonly functionName: string;
  readonly invocationId: string;
}

/** The site of a request as the Functions host describes it. */
export function requestSite(request: HttpRequest, context: InvocationContext): RequestSite {
  const route = (context.options.trigger as { route?: unknown }).route;
  return { method: request.method, route: typeof route === 'string' ? route : 'unknown', functionName: context.functionName, invocationId: context.invocationId };
}

export interface FailureAnswer {
  readonly response: HttpResponseInit;
  readonly event: AuthFailureEvent;
}

/**
 * The one place a failure becomes an answer: status, `WWW-Authenticate` (RFC 6750
 * §3), `Retry-After`, `Allow`, the RFC 9457 problem body, and the telemetry event.
 * Everything it needs is in the failure; the caller only says where it happened.
 * The client sees fixed text; the exact check and message go to the event only.
 */
export function answerFailure(failure: Failure, site: RequestSite, realm?: string): FailureAnswer {
  const { status, challenge, retryable } = failure.http;
  const refusal = failure instanceof Refusal ? failure : undefined;
  const detail = failure instanceof Refusal ? failure.detail : failure.http.detail;
  const required = refusal?.required && { mode: 'anyOf' in refusal.required ? 'anyOf' : 'allOf', names: requirementNames(refusal.required) };

  const headers: Record<string, string> = {};
  const wwwAuthenticate = challengeHeader(challenge, realm, detail, required?.names.join(' '), refusal?.claimsChallenge);
  if (wwwAuthenticate !== undefined) headers['www-authenticate'] = wwwAuthenticate;
  const retryAfter = failure instanceof KeysUnavailableError ? failure.retryAfterSeconds : refusal?.retryAfterSeconds;
  if (retryable && retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfter)));
  if (refusal?.allow) headers.allow = refusal.allow.join(', ');

  const extra = {
    ...refusal?.problem,
    ...(required && { required: { [required.mode]: required.names } }),
  };
  const response = problemResponse(status, failure.code, detail, site.invocationId, { headers, ...(Object.keys(extra).length > 0 && { extra }) });

  const { tenantId, clientAppId, version, kid, authority, userFlow } = failure.facts;
  // An AuthError's facts come from a token the verifier refused, so they are only claims; a Refusal's from a verified one.
  const verified = failure instanceof Refusal;
  const event: AuthFailureEvent = {
    code: failure.code,
    check: failure.check,
    status,
    ...site,
    ...(tenantId !== undefined && (verified ? { tenantId } : { unverifiedTenantId: tenantId })),
    ...(clientAppId !== undefined && (verified ? { clientAppId } : { unverifiedClientAppId: clientAppId })),
    ...(version !== undefined && { tokenVersion: version }),
    ...(kid !== undefined && { kid }),
    ...(verified && authority !== undefined && { authority }),
    ...(verified && userFlow !== undefined && { userFlow }),
    message: failure.message,
  };
  return { response, event };
}

/**
 * A handler's own refusal (an app's store, input or backend rules): answered by the
 * same function as every auth refusal, so status, headers and body follow the same
 * table. It is not an auth failure, so it is not reported as one: the caller logs
 * what the operator needs.
 */
export function answerHandlerRefusal(refusal: Refusal, request: HttpRequest, context: InvocationContext): HttpResponseInit {
  return answerFailure(refusal, requestSite(request, context)).response;
}

function challengeHeader(
  challenge: Challenge,
  realm: string | undefined,
  description: string,
  scope: string | undefined,
  claims: ClaimsChallenge | undefined,
): string | undefined {
  if (challenge === 'none') return undefined;
  // A challenge names its realm (RFC 6750 §3); only refusals without one may omit it.
  if (realm === undefined) throw new TypeError(`a ${challenge} challenge needs the realm`);
  switch (challenge) {
    case 'bare':
      return bearerChallenge({ realm });
    case 'insufficient_scope':
      return bearerChallenge({ realm, error: challenge, errorDescription: description, ...(scope && { scope }) });
    case 'insufficient_claims':
      // Refusal guarantees the claims challenge for this kind; the check keeps the type honest.
      if (!claims) throw new TypeError('an insufficient_claims challenge needs its claims');
      return bearerChallenge({ realm, authorizationUri: claims.authorizationUri, error: challenge, errorDescription: description, claims: claims.claims });
    case 'invalid_request':
    case 'invalid_token':
      return bearerChallenge({ realm, error: challenge, errorDescription: description });
  }
}
