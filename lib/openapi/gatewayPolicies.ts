import type { DeclaredPermissions } from 'azure-functions-entra-auth';
import { apiManagementPolicies, type OperationPolicy } from 'azure-functions-entra-auth/openapi';
import type { AppRoutes } from '../app/routeTable';
import { PLACEHOLDER_SECURITY, appOpenApiDocument } from './appDocument';
import { GATEWAY_FAILURES } from './gatewayAnswers';

/**
 * What infra/modules/apiManagement.bicep replaces in the generated policies with the
 * deployment's values (Bicep's replace(); the XML is generated here, once, offline).
 * The client-application-ids element is replaced whole: an empty allow-list drops it.
 */
export const POLICY_PLACEHOLDERS = Object.freeze({
  tenantId: '__ENTRA_TENANT_ID__',
  clientId: '__API_CLIENT_ID__',
  appIdUri: '__API_APP_ID_URI__',
  allowedClientApps: '<client-application-ids><application-id>__ALLOWED_CLIENT_APP_IDS__</application-id></client-application-ids>',
  rateLimitCalls: '__RATE_LIMIT_CALLS__',
  rateLimitPeriod: '__RATE_LIMIT_PERIOD_SECONDS__',
});

/** The API Management policy of every operation of the document, from the same route table. */
export function gatewayPolicies(routes: AppRoutes, declared: DeclaredPermissions): OperationPolicy[] {
  const document = appOpenApiDocument(routes, declared, PLACEHOLDER_SECURITY);
  const p = POLICY_PLACEHOLDERS;
  return apiManagementPolicies(document, Object.values(routes), {
    tenantId: p.tenantId,
    audiences: [p.clientId, p.appIdUri],
    realm: p.appIdUri,
    clientApplicationIds: ['__ALLOWED_CLIENT_APP_IDS__'],
    rateLimit: { calls: p.rateLimitCalls, renewalPeriodSeconds: p.rateLimitPeriod },
    tokenRefusal: GATEWAY_FAILURES.gateway_token_invalid,
  });
}
