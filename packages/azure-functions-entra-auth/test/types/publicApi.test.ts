import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { expectTypeOf } from 'expect-type';
import * as root from '../../src/index';
import * as errors from '../../src/errors';
import * as openapi from '../../src/openapi';
import type { AuthenticatedHandler, EntraAuth, HandlersFor, Principal, ProtectedRoute, VerifiedAccessToken } from '../../src/index';

/**
 * The public surface, pinned: what each entry exports and the shape of the types an app
 * writes against. A change here is a change of the package's API (see CHANGELOG.md).
 */

describe('the public entry points', () => {
  it('export exactly these values from the root', () => {
    expect(Object.keys(root).sort()).toEqual(
      [
        'ALLOWED_ALGORITHMS', 'ANY_VALID_TOKEN', 'AUTH_SETTING_NAMES', 'AlgorithmNotAllowedError', 'AudienceMismatchError', 'AuthError',
        'CHECK_NAMES', 'CLAIM_NAMES', 'ClaimInvalidError', 'ClientAppNotAllowedError', 'EntraKeyStore', 'HeaderNotAllowedError',
        'IssuerMismatchError', 'KEY_SOURCE_CHECKS', 'KeyNotFoundError', 'KeysUnavailableError', 'MAX_TOKEN_LENGTH', 'NO_APP_ROLE_DETAIL',
        'NotAccessTokenError', 'POLICY_CHECKS', 'REQUEST_CHECKS', 'REQUEST_FAILURES', 'REQUEST_FAILURE_CODES', 'REVOCATION_CHECKS', 'REVOCATION_FAILURES', 'REVOCATION_FAILURE_CODES', 'Refusal', 'SettingsError',
        'SignatureInvalidError', 'TOKEN_CHECKS', 'TOKEN_FAILURES', 'TOKEN_FAILURE_CODES', 'TOKEN_VERSIONS', 'TenantNotAllowedError',
        'TokenExpiredError', 'TokenMalformedError', 'TokenNotYetValidError', 'TokenVersionNotAllowedError', 'VERIFICATION_STEPS',
        'allOf', 'answerFailure', 'answerHandlerRefusal', 'anyOf', 'authorize', 'createAccessTokenVerifier', 'createEntraAuth',
        'createNodeHttpFetch', 'createVerificationContext', 'decodeCompactJwt', 'defineAuthPolicy', 'defineFailures', 'defineRoute', 'describeProtectedHandler',
        'describeRequirement', 'extractBearerToken', 'invocationLogObserver', 'isCheckName', 'keyStoreFor', 'loadAuthSettings',
        'principalFrom', 'problemResponse', 'requestSite', 'requirementNames', 'resolveAuthSettings', 'safeLogValue', 'verifiedToken',
        'verifySignature',
        // Issue 22: several authorities, claim rules.
        'AUTHORITY_KINDS', 'claimContainsAll', 'claimContainsAny', 'claimEquals', 'claimPresent', 'createAuthorityVerifier', 'describeClaimRule',
        'buildAuthorityRoutes', 'keyStoreForSource', 'resolveKeySource',
      ].sort(),
    );
  });

  it('export exactly these values from ./openapi, none of them from the root', () => {
    const names = Object.keys(openapi).sort();
    expect(names).toEqual(['PROBLEM_SCHEMA', 'SECURITY_SCHEMES', 'apiManagementAuthorityPolicies', 'apiManagementClientAppCheck', 'apiManagementKeySourceBranches', 'apiManagementOperationName', 'apiManagementPolicies', 'defaultOperationId', 'defaultScope', 'failureResponses', 'methodsOf', 'openApiDocument', 'openApiPath', 'packageFailures', 'ruleOf']);
    for (const name of names) expect({ name, inRoot: name in root }).toEqual({ name, inRoot: false });
  });

  it('export every error value from ./errors as from the root', () => {
    for (const [name, value] of Object.entries(errors)) expect({ name, same: (root as Record<string, unknown>)[name] === value }).toEqual({ name, same: true });
  });
});

describe('the public types', () => {
  it('pin createEntraAuth and what it builds', () => {
    expectTypeOf(root.createEntraAuth).parameter(0).toHaveProperty('env');
    expectTypeOf(root.createEntraAuth).returns.toEqualTypeOf<EntraAuth>();
    expectTypeOf<EntraAuth['withAuth']>().returns.toEqualTypeOf<HttpHandler>();
    expectTypeOf<EntraAuth['registerRoute']>().returns.toBeVoid();
  });

  it('pin a handler: request, context and the verified principal in, a response out', () => {
    expectTypeOf<AuthenticatedHandler>().parameters.toEqualTypeOf<[HttpRequest, InvocationContext, Principal]>();
    expectTypeOf<ReturnType<AuthenticatedHandler>>().toExtend<Promise<unknown> | HttpResponseInit | object>();
  });

  it('ask for one handler per method the policy names, no more and no fewer', () => {
    const route = root.defineRoute('invoices', 'invoices', { GET: { appRoles: root.anyOf('Invoices.Read') }, POST: root.ANY_VALID_TOKEN });
    expectTypeOf(route).toExtend<ProtectedRoute>();
    expectTypeOf<keyof HandlersFor<typeof route>>().toEqualTypeOf<'GET' | 'POST'>();
  });

  it('pin the principal and the verified token', () => {
    expectTypeOf<Principal>().toHaveProperty('tenantId').toEqualTypeOf<string>();
    expectTypeOf<Principal>().toHaveProperty('isAppOnly').toEqualTypeOf<boolean>();
    expectTypeOf<Principal>().toHaveProperty('roles').toEqualTypeOf<readonly string[]>();
    expectTypeOf<Principal>().toHaveProperty('tokenVersion').toEqualTypeOf<'1.0' | '2.0'>();
    expectTypeOf<VerifiedAccessToken>().toHaveProperty('scopes').toEqualTypeOf<readonly string[]>();
  });

  it('pin failures: a definition knows its status and challenge, an app code is its own', () => {
    const defined = errors.defineFailures({ invoice_not_found: { status: 404, challenge: 'none', detail: 'No such invoice.' } });
    expectTypeOf(defined.invoice_not_found.code).toEqualTypeOf<'invoice_not_found'>();
    expectTypeOf(errors.REQUEST_FAILURES.insufficient_scope.challenge).toEqualTypeOf<errors.Challenge>();
    expectTypeOf<errors.TokenFailureCode>().toExtend<string>();
    expect(defined.invoice_not_found).toEqual({ code: 'invoice_not_found', status: 404, challenge: 'none', detail: 'No such invoice.' });
  });
});
