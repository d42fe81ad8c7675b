import type { AuthorityConfig, DeclaredPermissions, MethodRule } from 'azure-functions-entra-auth';
import { apiManagementAuthorityPolicies, apiManagementClientAppCheck, apiManagementKeySourceBranches } from 'azure-functions-entra-auth/openapi';
import type { AppRoutes } from '../app/routeTable';
import { PLACEHOLDER_SECURITY, appOpenApiDocument } from './appDocument';
import { GATEWAY_FAILURES } from './gatewayAnswers';
import { POLICY_PLACEHOLDERS } from './gatewayPolicies';

/**
 * The gateway's policies when the deployment trusts several authorities
 * (infra/modules/apiManagement.bicep, additionalAuthorities). The authorities are known
 * only at deployment, so each protected operation's policy holds a placeholder where its
 * branches go, and beside it one branch template per kind of key source, made by the
 * package from an authority whose fields are placeholders: the issuers and discovery URLs
 * keep the package's own shapes, and the Bicep module only puts values in and joins.
 */
export const AUTHORITY_PLACEHOLDERS = Object.freeze({
  branches: '<!-- __AUTHORITY_BRANCHES__ -->',
  tenantId: '__AUTHORITY_TENANT_ID__',
  clientId: '__AUTHORITY_CLIENT_ID__',
  appIdUri: '__AUTHORITY_APP_ID_URI__',
  /** Workforce: the sign-in origin (the cloud's, unless the entry names one). */
  instance: '__AUTHORITY_INSTANCE__',
  /** External ID and B2C: one lower-case DNS label. */
  tenantName: '__authority_tenant_name__',
  /** B2C: {tenantName}.b2clogin.com or the custom domain. */
  host: '__authority_host__',
  /** B2C: one user flow, lower-cased as in its discovery URL. */
  userFlow: '__authority_user_flow__',
  /** One caller app ID as a C# string in an attribute; the whole clientAppCheck line goes when the list is empty. */
  clientApps: '&quot;__AUTHORITY_CLIENT_APPS__&quot;',
});

/** The kinds of key source a branch template is made for. */
export const BRANCH_KINDS = ['workforce', 'externalId', 'externalIdMicrosoftOnline', 'b2c'] as const;
export type BranchKind = (typeof BRANCH_KINDS)[number];

export interface AuthorityOperationTemplate {
  readonly operationName: string;
  readonly method: string;
  readonly path: string;
  /** The authorities the method accepts by name; null: every deployed one. */
  readonly authorities: readonly string[] | null;
  /** The kinds of authority the method accepts (`workforce` for the staff's routes); null: every kind. */
  readonly authorityKinds: readonly string[] | null;
  /** The policy, with POLICY_PLACEHOLDERS (realm, rate limit) and AUTHORITY_PLACEHOLDERS.branches. */
  readonly xml: string;
  /** One `<when>` per kind; null for an anonymous operation. */
  readonly branches: Readonly<Record<BranchKind, string>> | null;
}

export interface AuthorityPolicyTemplates {
  /** The caller-app check line as it stands in every branch template. */
  readonly clientAppCheck: string;
  readonly operations: readonly AuthorityOperationTemplate[];
}

const P = AUTHORITY_PLACEHOLDERS;
const MICROSOFT_ONLINE = 'https://login.microsoftonline.com';
const CLIENT_APPS = ['__AUTHORITY_CLIENT_APPS__'];
const common = { clientId: P.clientId, appIdUri: P.appIdUri, audiences: [P.clientId, P.appIdUri, `${P.appIdUri}/`], allowedClientApps: CLIENT_APPS };

/** An authority of each kind, every field a placeholder. */
const TEMPLATE_AUTHORITIES = {
  workforce: { ...common, name: 'workforce', kind: 'workforce', tenant: { kind: 'single', tenantId: P.tenantId }, instance: P.instance, tokenVersions: ['1.0', '2.0'] },
  externalId: { ...common, name: 'externalId', kind: 'externalId', tenantId: P.tenantId, tenantName: P.tenantName, acceptMicrosoftOnlineIssuer: true, discoveryBase: undefined },
  b2c: { ...common, name: 'b2c', kind: 'b2c', tenantId: P.tenantId, tenantName: P.tenantName, userFlows: [P.userFlow], host: P.host, discoveryBase: undefined },
} as const satisfies Record<string, AuthorityConfig>;

/** Every operation's policy skeleton and branch templates, from the same route table as the document. */
export function gatewayAuthorityPolicies(routes: AppRoutes, declared: DeclaredPermissions): AuthorityPolicyTemplates {
  const document = appOpenApiDocument(routes, declared, PLACEHOLDER_SECURITY);
  const options = {
    authorities: { placeholder: P.branches },
    realm: POLICY_PLACEHOLDERS.appIdUri,
    rateLimit: { calls: POLICY_PLACEHOLDERS.rateLimitCalls, renewalPeriodSeconds: POLICY_PLACEHOLDERS.rateLimitPeriod },
    tokenRefusal: GATEWAY_FAILURES.gateway_token_invalid,
  };
  const operations = apiManagementAuthorityPolicies(document, Object.values(routes), options).map(({ operationName, method, path, xml, rule, authorities, authorityKinds }) => ({
    operationName,
    method,
    path,
    authorities: authorities ?? null,
    authorityKinds: authorityKinds ?? null,
    xml,
    branches: rule ? branchTemplates(rule, options) : null,
  }));
  return { clientAppCheck: apiManagementClientAppCheck(CLIENT_APPS, options), operations };
}

function branchTemplates(rule: MethodRule, options: Parameters<typeof apiManagementKeySourceBranches>[2]): Record<BranchKind, string> {
  const one = (authority: AuthorityConfig) => apiManagementKeySourceBranches(rule, authority, options);
  const [workforce] = one(TEMPLATE_AUTHORITIES.workforce);
  const [externalId, microsoftOnline] = one(TEMPLATE_AUTHORITIES.externalId);
  // The cloud's sign-in host, as every other URL the template writes (External ID is in the public cloud only, where it is this one).
  const externalIdMicrosoftOnline = microsoftOnline?.replaceAll(`${MICROSOFT_ONLINE}/`, `${P.instance}/`);
  const [b2c] = one(TEMPLATE_AUTHORITIES.b2c);
  if (!workforce || !externalId || !externalIdMicrosoftOnline || !b2c) throw new TypeError('gatewayAuthorityPolicies: a kind of authority made no branch');
  return { workforce, externalId, externalIdMicrosoftOnline, b2c };
}
