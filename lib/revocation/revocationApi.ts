import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { answerHandlerRefusal, Refusal, type AuthenticatedHandler, type Principal } from 'azure-functions-entra-auth';
import { answeringFailures } from '../http/answeringFailures';
import { CANONICAL_GUID } from 'azure-functions-entra-auth/settings';
import { APP_FAILURES } from '../failures/appFailures';
import { readJsonBody } from '../http/readJsonBody';
import type { RevocationEvents } from './revocationEvents';
import { newRevocation, revocationRequest, revocationView, type RevocationAuthor, type RevocationLimits, type StoredRevocation } from './revocationRequest';
import { changeEvent } from './revocationChange';
import { RevocationStoreError, type TableRevocationStore } from './tableRevocationStore';

export interface RevocationApi {
  readonly list: AuthenticatedHandler;
  readonly create: AuthenticatedHandler;
  readonly get: AuthenticatedHandler;
  readonly remove: AuthenticatedHandler;
}

export interface RevocationApiOptions {
  readonly store: TableRevocationStore;
  readonly events: RevocationEvents;
  readonly limits: RevocationLimits;
  /**
   * A multi-tenant API: a caller may only name, see and delete rules of its own tenant, so an
   * app another tenant granted Revocations.Manage cannot cut off this tenant's callers.
   */
  readonly ownTenantOnly: boolean;
  readonly now?: () => number;
}

/**
 * manage/revocations: the deny rules, for daemons holding Revocations.Manage (the route
 * table's policy). The author of a rule is the verified caller, never a body field. Every
 * change is reported (who, what, when) after the store acknowledged it.
 */
export function createRevocationApi(options: RevocationApiOptions): RevocationApi {
  const { store, events, limits, ownTenantOnly } = options;
  const now = options.now ?? Date.now;
  const visible = (rule: StoredRevocation, principal: Principal) =>
    !ownTenantOnly || ('tenantId' in rule ? rule.tenantId === principal.tenantId : rule.createdBy.tenantId === principal.tenantId);

  const guarded = answeringFailures((error, request, context) => {
    if (!(error instanceof RevocationStoreError)) throw error;
    context.warn(`${error.message}; answering 503`);
    return answerHandlerRefusal(new Refusal(APP_FAILURES.revocation_store_unavailable, 'revocations.store', error.message, { retryAfterSeconds: 5, cause: error }), request, context);
  });

  return {
    list: guarded(async (_request, _context, principal) => {
      const rules = (await store.list()).filter((rule) => visible(rule, principal)).sort((a, b) => b.createdAt - a.createdAt);
      return ok(200, { value: rules.map(revocationView) });
    }),

    create: guarded(async (request, context, principal) => {
      const body = await readJsonBody(request, revocationRequest, 4 * 1024);
      if (!body.ok) return refuse(request, context, APP_FAILURES[body.code], 'revocations.body', body.detail, body.field);
      const author: RevocationAuthor = { tenantId: principal.tenantId, objectId: principal.objectId, clientAppId: principal.clientAppId, via: 'api' };
      const made = newRevocation(body.value, author, randomUUID(), now(), limits);
      if (!made.ok) return refuse(request, context, APP_FAILURES.invalid_body, 'revocations.body', made.detail, made.field);
      if (!visible(made.rule, principal)) return refuse(request, context, APP_FAILURES.revocation_forbidden, 'revocations.tenant', APP_FAILURES.revocation_forbidden.detail, 'tenantId');
      const outcome = await store.add(made.rule);
      events.onRuleChanged?.(changeEvent('created', made.rule, author, now()));
      if (outcome.cleanupFailed !== undefined) context.warn(`${outcome.cleanupFailed}; the rule was stored`);
      return ok(201, revocationView(made.rule), { location: `/api/manage/revocations/${made.rule.id}` });
    }),

    get: guarded(async (request, context, principal) => {
      const id = ruleId(request);
      if (id === undefined) return badId(request, context);
      const rule = await store.get(id);
      return rule && visible(rule, principal) ? ok(200, revocationView(rule)) : notFound(request, context);
    }),

    remove: guarded(async (request, context, principal) => {
      const id = ruleId(request);
      if (id === undefined) return badId(request, context);
      const rule = await store.get(id);
      if (!rule || !visible(rule, principal) || !(await store.remove(id))) return notFound(request, context);
      const author: RevocationAuthor = { tenantId: principal.tenantId, objectId: principal.objectId, clientAppId: principal.clientAppId, via: 'api' };
      events.onRuleChanged?.(changeEvent('deleted', rule, author, now()));
      return { status: 204, headers: { 'cache-control': 'no-store' } };
    }),
  };
}

function ok(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers } };
}

function ruleId(request: HttpRequest): string | undefined {
  const id = request.params.id?.toLowerCase();
  return id !== undefined && CANONICAL_GUID.test(id) ? id : undefined;
}

function refuse(request: HttpRequest, context: InvocationContext, failure: (typeof APP_FAILURES)[keyof typeof APP_FAILURES], check: string, description: string, field?: string): HttpResponseInit {
  return answerHandlerRefusal(new Refusal(failure, check, `revocation request refused (${failure.code})`, { description, ...(field !== undefined && { problem: { field } }) }), request, context);
}

function badId(request: HttpRequest, context: InvocationContext): HttpResponseInit {
  return refuse(request, context, APP_FAILURES.invalid_parameter, 'revocations.id', 'Field id: must be a revocation rule ID (a GUID).', 'id');
}

function notFound(request: HttpRequest, context: InvocationContext): HttpResponseInit {
  return refuse(request, context, APP_FAILURES.revocation_not_found, 'revocations.lookup', APP_FAILURES.revocation_not_found.detail);
}
