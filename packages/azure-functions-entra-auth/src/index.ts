/**
 * azure-functions-entra-auth: Microsoft Entra ID access tokens for Azure Functions
 * (Node.js v4 programming model). Nothing happens at import: every service is built by
 * the app's composition root with createEntraAuth (or, outside Functions, with
 * createAccessTokenVerifier and authorize).
 */

// Composition and the Functions adapter
export { createEntraAuth, type EntraAuth, type EntraAuthOptions } from './createEntraAuth';
export { defineRoute, type HandlersFor, type ProtectedRoute } from './functions/protectedRoute';
export { describeProtectedHandler, type ProtectedHandlerDescription } from './functions/protectedHandlerDescription';
export type { AuthenticatedHandler } from './functions/withAuth';
export { answerFailure, answerHandlerRefusal, requestSite, type FailureAnswer, type RequestSite } from './functions/failureAnswer';
export { problemResponse } from './functions/problem';
export { invocationLogObserver, type AuthFailureEvent, type AuthObserver, type AuthSuccessEvent } from './functions/authEvents';

// Policies and the principal
export {
  ANY_VALID_TOKEN,
  allOf,
  anyOf,
  defineAuthPolicy,
  describeRequirement,
  requirementNames,
  type AnyValidTokenRule,
  type AuthPolicy,
  type DeclaredPermissions,
  type MethodConditions,
  type MethodPolicy,
  type MethodRule,
  type Requirement,
} from './authz/authPolicy';
export { authorize, type AuthorizationDecision, type AuthorizeOptions } from './authz/authorize';
export {
  claimContainsAll,
  claimContainsAny,
  claimEquals,
  claimPresent,
  describeClaimRule,
  type ClaimRule,
} from './authz/claimRules';

// Several authorities (workforce tenants, External ID tenants, B2C user flows)
export {
  AUTHORITY_KINDS,
  type AuthorityConfig,
  type AuthorityInput,
  type AuthorityKind,
  type AuthorityRef,
  type B2cAuthority,
  type ExternalIdAuthority,
  type WorkforceAuthority,
} from './authorities/authorityConfig';
export { createAuthorityVerifier, keyStoreForSource, resolveKeySource, type AuthorityVerifier, type ResolvedKeySource } from './authorities/createAuthorityVerifier';
export { buildAuthorityRoutes, type AuthorityRoutes, type IssuerRoute, type KeySource } from './authorities/authorityRoutes';
export { principalFrom, type Principal } from './authz/principal';

// The framework-free verifier
export { createAccessTokenVerifier, verifySignature, type VerifierDependencies } from './verify/createAccessTokenVerifier';
export type { AccessTokenVerifier, VerifiedAccessToken } from './verify/verifiedAccessToken';
export {
  VERIFICATION_STEPS,
  createVerificationContext,
  verifiedToken,
  type KeyLookup,
  type NetworkDependencies,
  type SignatureCheck,
  type VerificationContext,
  type VerificationStep,
  type VerificationStepName,
} from './verify/verificationSteps';
export type { EntraAccessTokenClaims } from './entra/accessTokenClaims';
export { decodeCompactJwt, MAX_TOKEN_LENGTH, type DecodedJwt } from './jwt/decodeCompactJwt';
export { ALLOWED_ALGORITHMS } from './jwt/checkJoseHeader';
export { extractBearerToken, type BearerRequest, type TokenExtraction } from './functions/bearerToken';
export { EntraKeyStore, keyStoreFor, type EntraKeyStoreOptions, type KeySetEvents } from './entra/entraKeyStore';
export { createNodeHttpFetch, type NodeHttpFetchOptions } from './net/nodeHttpFetch';
export type { FetchLike, FetchedResponse } from './net/fetchJson';

// Settings
export { loadAuthSettings, TOKEN_VERSIONS, type AuthSettings, type LoadAuthSettingsOptions, type TenantMode, type TokenVersion } from './settings/authSettings';
export { AUTH_SETTING_NAMES, resolveAuthSettings, type AuthOptions, type ResolvedAuthSettings } from './settings/authOptions';
export { SettingsError } from './settings/settingsError';
export type { SettingsSource } from './settings/settingsSource';

// Failures (also at azure-functions-entra-auth/errors)
export * from './errors';
