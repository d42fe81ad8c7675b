import type { AuthSettings, DeclaredPermissions } from 'azure-functions-entra-auth';
import { methodsOf, openApiDocument, ruleOf, type OpenApiDocument, type OperationCatalogue, type OperationDetails } from 'azure-functions-entra-auth/openapi';
import permissionsFile from '../../infra/permissions.json';
import type { AppRoutes } from '../app/routeTable';
import { GATEWAY_FAILURES, GATEWAY_RATE_LIMITED } from './gatewayAnswers';
import { componentSchemas } from './jsonSchemas';
import { APP_OPERATIONS } from './operations';

/** The version of the API contract (not of the package): raise it when the document changes incompatibly. */
export const API_VERSION = '1.0.0';

/** Where callers get tokens: the tenant's authority and the API's App ID URI. */
export interface DocumentSecurity {
  readonly authority: string;
  readonly appIdUri: string;
}

/** What the committed openapi/openapi.json names, in place of a deployment's tenant and App ID URI. */
export const PLACEHOLDER_SECURITY: DocumentSecurity = Object.freeze({ authority: 'https://login.microsoftonline.com/your-tenant-id', appIdUri: 'api://orders-api' });

/** A deployment's own values, from its AUTH_* settings (the realm of its challenges is the same App ID URI). */
export function documentSecurity(settings: AuthSettings, realm: string): DocumentSecurity {
  const tenant = settings.tenant.kind === 'single' ? settings.tenant.tenantId : settings.tenant.authorityTenant;
  return { authority: `${settings.instance}/${tenant}`, appIdUri: realm };
}

/**
 * The Orders API's OpenAPI 3.1 document: the route table read through the auth
 * package's generator, with this app's schemas (from zod), parameters and refusals.
 */
export function appOpenApiDocument(routes: AppRoutes, declared: DeclaredPermissions, security: DocumentSecurity): OpenApiDocument {
  const list = Object.values(routes);
  return openApiDocument({
    info: {
      title: 'Orders API',
      version: API_VERSION,
      description:
        'Orders of the calling tenant in Azure Table Storage, protected by Microsoft Entra access tokens. Every refusal is an RFC 9457 problem whose `code` is stable.',
    },
    routes: list,
    security: { ...security, permissions: declared, descriptions: permissionTexts() },
    operations: withGatewayAnswers(list),
    schemas: componentSchemas(),
  });
}

/** Every protected operation can meet the gateway's refusals when API Management is in front: its 401 and its per-caller rate limit. */
function withGatewayAnswers(routes: readonly AppRoutes[keyof AppRoutes][]): OperationCatalogue {
  const catalogue: Record<string, Record<string, OperationDetails>> = {};
  for (const route of routes) {
    const known: Readonly<Record<string, OperationDetails | undefined>> = APP_OPERATIONS[route.name] ?? {};
    const entry: Record<string, OperationDetails> = {};
    for (const method of methodsOf(route)) {
      const details = known[method];
      if (ruleOf(route, method) === undefined) {
        if (details) entry[method] = details;
        continue;
      }
      entry[method] = {
        ...details,
        responses: { ...(details?.responses ?? { 200: { description: 'Success.' } }), 429: GATEWAY_RATE_LIMITED },
        failures: [...(details?.failures ?? []), GATEWAY_FAILURES.gateway_token_invalid],
      };
    }
    catalogue[route.name] = entry;
  }
  return catalogue;
}

/** What each app role and scope allows, in infra/permissions.json's own words. */
function permissionTexts() {
  const appRoles = Object.fromEntries(permissionsFile.appRoles.map((role) => [role.value, role.description]));
  const scopes = Object.fromEntries(permissionsFile.scopes.map((scope) => [scope.value, scope.adminConsentDescription]));
  return { appRoles, scopes };
}
