/**
 * azure-functions-entra-dev: a local Microsoft Entra ID for any Azure Functions app's
 * tests. Development only; never import it from code that is deployed.
 */
export { startLocalEntra, invoke, localAuthoritySettings, TEST_USER } from './testing/localEntra';
export type { LocalEntra, LocalEntraOptions, TokenOptions, InvokeRequest, InvokeResult } from './testing/localEntra';
export { startEntraStandin, StandinStartError } from './standin/server';
export type { EntraStandin, EntraStandinOptions, KeyRotation } from './standin/server';
export type { StandinAuthorityKind } from './standin/devPaths';
export { Registry, RegistryError } from './standin/registry';
export type { RegistryData, ApiRegistration, ClientRegistration, TenantRegistration } from './standin/registry';
export { obtainAccessToken, requestClientCredentialsToken, TokenRequestError } from './standin/obtainAccessToken';
export type { ObtainAccessTokenOptions, ObtainedAccessToken, ClientCredentialsRequest } from './standin/obtainAccessToken';
export { generateRegistry, declaredValues, PermissionsFileError } from './registrations/generateRegistry';
export type { DeclaredValues, GenerateOptions } from './registrations/generateRegistry';
