/**
 * azure-functions-entra-auth/openapi: an OpenAPI 3.1 document from an app's route
 * table. The package writes what it knows (paths, operation IDs, who may call each
 * method, the 401/403 answers and their challenges, the OAuth 2.0 schemes); the app
 * adds its bodies, parameters and its own refusals. No dependency: the app brings
 * its JSON Schemas (for instance zod's toJSONSchema). From the same table, one API
 * Management policy per operation, for a gateway in front of the function (one
 * tenant, or several authorities).
 */
export { defaultOperationId, methodsOf, openApiDocument, ruleOf } from './openapi/openApiDocument';
export { openApiPath } from './openapi/routePath';
export { SECURITY_SCHEMES, defaultScope } from './openapi/securityRequirements';
export { PROBLEM_SCHEMA, failureResponses, packageFailures } from './openapi/failureResponses';
export { apiManagementOperationName, apiManagementPolicies, type GatewayPolicyOptions, type OperationPolicy } from './openapi/apiManagementPolicy';
export {
  apiManagementAuthorityPolicies,
  apiManagementKeySourceBranches,
  apiManagementClientAppCheck,
  type AuthorityGatewayOptions,
  type AuthorityOperationPolicy,
} from './openapi/apiManagementAuthorityPolicy';
export type {
  AnonymousRoute,
  DocumentedRoute,
  EntraSecurityDescription,
  OpenApiDocument,
  OpenApiDocumentInput,
  OpenApiObject,
  OperationCatalogue,
  OperationDetails,
} from './openapi/documentTypes';
