import { requirementNames, type MethodConditions, type MethodRule, type Requirement } from '../authz/authPolicy';
import { describeClaimRule } from '../authz/claimRules';
import type { EntraSecurityDescription, OpenApiObject } from './documentTypes';

/** The names of the security schemes every generated document defines. */
export const SECURITY_SCHEMES = Object.freeze({
  /** Daemons: client credentials, `{App ID URI}/.default`; judged on the token's `roles`. */
  appToken: 'entraAppToken',
  /** Signed-in users through a client app: authorization code with the delegated scopes; judged on `scp`. */
  userToken: 'entraUserToken',
  /** Any Entra access token for this API, pasted as is (a docs page, curl). */
  bearerToken: 'entraBearerToken',
});

/**
 * The three schemes: OAuth 2.0 flows against the tenant's v2 endpoints, and a plain
 * bearer scheme whose requirement arrays name roles, as OpenAPI 3.1 allows for
 * schemes other than OAuth 2.0. `x-entra-app-roles` names the app roles explicitly:
 * OAuth scopes cannot, since an app-only token always asks for `.default`.
 */
export function securitySchemes(security: EntraSecurityDescription): OpenApiObject {
  const authority = security.authority.replace(/\/+$/, '');
  const tokenUrl = `${authority}/oauth2/v2.0/token`;
  const roleText = (role: string) => security.descriptions?.appRoles?.[role] ?? `The app role ${role}.`;
  const scopeText = (scope: string) => security.descriptions?.scopes?.[scope] ?? `The delegated scope ${scope}.`;
  return {
    [SECURITY_SCHEMES.appToken]: {
      type: 'oauth2',
      description: 'An app-only token (client credentials). The app roles an administrator assigned to the client app arrive in its `roles` claim; each operation names the roles it accepts in `x-entra-app-roles`.',
      flows: { clientCredentials: { tokenUrl, scopes: { [defaultScope(security.appIdUri)]: 'The app roles assigned to the calling app.' } } },
      'x-entra-app-roles': Object.fromEntries(security.permissions.appRoles.map((role) => [role, roleText(role)])),
    },
    [SECURITY_SCHEMES.userToken]: {
      type: 'oauth2',
      description: 'A delegated token: a signed-in user through a client app granted the scopes, which arrive in its `scp` claim.',
      flows: {
        authorizationCode: {
          authorizationUrl: `${authority}/oauth2/v2.0/authorize`,
          tokenUrl,
          scopes: Object.fromEntries(security.permissions.scopes.map((scope) => [scopeName(security.appIdUri, scope), scopeText(scope)])),
        },
      },
    },
    [SECURITY_SCHEMES.bearerToken]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `An Entra access token for ${security.appIdUri}. The names in an operation's requirement are the app roles (\`roles\`, app-only tokens) or delegated scopes (\`scp\`) that satisfy it.`,
    },
  };
}

/** `security` and the `x-entra-*` extensions of one protected operation. */
export function operationSecurity(rule: MethodRule, appIdUri: string): OpenApiObject {
  const { appToken, userToken, bearerToken } = SECURITY_SCHEMES;
  if ('anyValidToken' in rule) {
    return { security: [{ [appToken]: [defaultScope(appIdUri)] }, { [userToken]: [] }, { [bearerToken]: [] }], 'x-entra-any-valid-token': true, ...conditionExtensions(rule) };
  }
  // A requirement object's array means "all of these"; alternatives are separate objects.
  const alternatives = (requirement: Requirement): string[][] =>
    'anyOf' in requirement ? requirement.anyOf.map((name) => [name]) : [[...requirementNames(requirement)]];
  const requirements: OpenApiObject[] = [];
  if (rule.appRoles) requirements.push({ [appToken]: [defaultScope(appIdUri)] });
  if (rule.scopes) for (const names of alternatives(rule.scopes)) requirements.push({ [userToken]: names.map((name) => scopeName(appIdUri, name)) });
  const bearer = [...(rule.appRoles ? alternatives(rule.appRoles) : []), ...(rule.scopes ? alternatives(rule.scopes) : [])];
  const seen = new Set<string>();
  for (const names of bearer) {
    const key = JSON.stringify(names);
    if (seen.has(key)) continue;
    seen.add(key);
    requirements.push({ [bearerToken]: names });
  }
  return {
    security: requirements,
    ...(rule.appRoles ? { 'x-entra-app-roles': plain(rule.appRoles) } : { 'x-entra-app-only-tokens': 'refused' }),
    ...(rule.scopes ? { 'x-entra-scopes': plain(rule.scopes) } : { 'x-entra-delegated-tokens': 'refused' }),
    ...(rule.userRoles && { 'x-entra-user-roles': plain(rule.userRoles) }),
    ...(rule.tenantRouteParam !== undefined && { 'x-entra-tenant-route-parameter': rule.tenantRouteParam }),
    ...conditionExtensions(rule),
  };
}

/** What a method demands of any caller beyond permissions: which authorities, which claims, which authentication context. */
function conditionExtensions(rule: MethodConditions): OpenApiObject {
  return {
    ...(rule.authorities && { 'x-entra-authorities': [...rule.authorities] }),
    ...(rule.authorityKinds && { 'x-entra-authority-kinds': [...rule.authorityKinds] }),
    ...(rule.claims && { 'x-entra-claims': rule.claims.map(describeClaimRule) }),
    ...(rule.authenticationContext !== undefined && { 'x-entra-authentication-context': rule.authenticationContext }),
  };
}

export const defaultScope = (appIdUri: string) => `${appIdUri.replace(/\/+$/, '')}/.default`;
const scopeName = (appIdUri: string, scope: string) => `${appIdUri.replace(/\/+$/, '')}/${scope}`;
const plain = (requirement: Requirement) => ('anyOf' in requirement ? { anyOf: [...requirement.anyOf] } : { allOf: [...requirement.allOf] });
