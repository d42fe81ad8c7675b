import type { TenantMode, TokenVersion } from '../settings/authSettings';

/**
 * The authorities one app trusts: workforce tenants, Entra External ID tenants and
 * Azure AD B2C tenants (one key set per user flow). Each is a named entry; a token is
 * routed to exactly one of them by its exact `iss` (authorityRoutes.ts).
 */
export const AUTHORITY_KINDS = ['workforce', 'externalId', 'b2c'] as const;
export type AuthorityKind = (typeof AUTHORITY_KINDS)[number];

interface AuthorityBase {
  /** How policies, the principal and telemetry name it. */
  readonly name: string;
  readonly kind: AuthorityKind;
  /** The API's app registration in this authority's tenant: the `aud` of its tokens. */
  readonly clientId: string;
  readonly appIdUri: string | undefined;
  /** Every `aud` accepted from this authority. */
  readonly audiences: readonly string[];
  /** Caller app IDs accepted from this authority; undefined: AUTH_ALLOWED_CLIENT_APPS (or any). */
  readonly allowedClientApps: readonly string[] | undefined;
}

export interface WorkforceAuthority extends AuthorityBase {
  readonly kind: 'workforce';
  readonly tenant: TenantMode;
  /** Authority origin, no trailing slash. */
  readonly instance: string;
  readonly tokenVersions: readonly TokenVersion[];
}

export interface ExternalIdAuthority extends AuthorityBase {
  readonly kind: 'externalId';
  readonly tenantId: string;
  /** The tenant's name: `contoso` for contoso.ciamlogin.com, where discovery is served. */
  readonly tenantName: string;
  /** Also accept the tenant's tokens issued through login.microsoftonline.com (their own issuer and key set). */
  readonly acceptMicrosoftOnlineIssuer: boolean;
  /** Local development only: a loopback URL serving what {tenantName}.ciamlogin.com serves (the stand-in's /_ciam). */
  readonly discoveryBase: string | undefined;
}

export interface B2cAuthority extends AuthorityBase {
  readonly kind: 'b2c';
  readonly tenantId: string;
  /** `contoso` for contoso.b2clogin.com and contoso.onmicrosoft.com. */
  readonly tenantName: string;
  /** The user flows (policies) accepted, each with its own discovery document and key set. */
  readonly userFlows: readonly string[];
  /** The host tokens are issued from: {tenantName}.b2clogin.com, or the custom domain. */
  readonly host: string;
  /** Local development only: a loopback URL serving what the B2C host serves (the stand-in's /_b2c). */
  readonly discoveryBase: string | undefined;
}

export type AuthorityConfig = WorkforceAuthority | ExternalIdAuthority | B2cAuthority;

/** The name of the one authority of the single-tenant AUTH_* form. */
export const DEFAULT_AUTHORITY_NAME = 'default';

/** What a verified token says about where it came from. */
export interface AuthorityRef {
  readonly name: string;
  readonly kind: AuthorityKind;
}

/**
 * One authority as an app writes it (the `authorities` option, or an entry of
 * AUTH_AUTHORITIES), written out rather than inferred from the schema so the package's
 * public types need no zod. authoritySchema.ts checks it.
 */
export type AuthorityInput =
  | {
      readonly kind: 'workforce';
      readonly name: string;
      readonly clientId: string;
      readonly appIdUri?: string | undefined;
      readonly allowedClientApps?: readonly string[] | undefined;
      /** A tenant GUID, or organizations / common with allowedTenants. */
      readonly tenantId: string;
      readonly allowedTenants?: '*' | readonly string[] | undefined;
      readonly instance?: string | undefined;
      readonly tokenVersions?: readonly ('1.0' | '2.0')[] | undefined;
    }
  | {
      readonly kind: 'externalId';
      readonly name: string;
      readonly clientId: string;
      readonly appIdUri?: string | undefined;
      readonly allowedClientApps?: readonly string[] | undefined;
      readonly tenantId: string;
      readonly tenantName: string;
      readonly acceptMicrosoftOnlineIssuer?: boolean | undefined;
      readonly discoveryBase?: string | undefined;
    }
  | {
      readonly kind: 'b2c';
      readonly name: string;
      readonly clientId: string;
      readonly appIdUri?: string | undefined;
      readonly allowedClientApps?: readonly string[] | undefined;
      readonly tenantId: string;
      readonly tenantName: string;
      readonly userFlows: readonly string[];
      readonly customDomain?: string | undefined;
      readonly discoveryBase?: string | undefined;
    };

export interface AuthorityDefaults {
  readonly allowedClientApps: readonly string[] | undefined;
}

/** A problem with one entry of the authority list; `where` is its path, such as `[1].userFlows`. */
export class AuthorityConfigError extends Error {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'AuthorityConfigError';
  }
}

/** The authority of the single-tenant (or multi-tenant) AUTH_* form: one workforce entry. */
export function defaultAuthority(settings: {
  readonly tenant: TenantMode;
  readonly clientId: string;
  readonly appIdUri: string | undefined;
  readonly audiences: readonly string[];
  readonly instance: string;
  readonly tokenVersions: readonly TokenVersion[];
}): WorkforceAuthority {
  return {
    name: DEFAULT_AUTHORITY_NAME,
    kind: 'workforce',
    clientId: settings.clientId,
    appIdUri: settings.appIdUri,
    audiences: settings.audiences,
    allowedClientApps: undefined,
    tenant: settings.tenant,
    instance: settings.instance,
    tokenVersions: settings.tokenVersions,
  };
}

/** The tenant ID an authority's tokens name, or undefined for a multi-tenant workforce authority. */
export function authorityTenantId(authority: AuthorityConfig): string | undefined {
  if (authority.kind !== 'workforce') return authority.tenantId;
  return authority.tenant.kind === 'single' ? authority.tenant.tenantId : undefined;
}

/**
 * Where a client signs in again for this authority (a claims challenge's
 * authorization_uri): the tenant's v2 authorize endpoint.
 */
export function authorizationUri(authority: AuthorityConfig, tokenTenantId: string): string {
  switch (authority.kind) {
    case 'workforce':
      return `${authority.instance}/${authority.tenant.kind === 'single' ? authority.tenant.tenantId : tokenTenantId}/oauth2/v2.0/authorize`;
    case 'externalId':
      return `${authority.discoveryBase ?? `https://${authority.tenantName}.ciamlogin.com`}/${authority.tenantId}/oauth2/v2.0/authorize`;
    case 'b2c':
      return `${authority.discoveryBase ?? `https://${authority.host}`}/${authority.tenantName}.onmicrosoft.com/oauth2/v2.0/authorize`;
  }
}
