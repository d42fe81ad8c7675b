import * as z from 'zod/mini';
import { typeMismatch } from './englishMessages';
import { commaList, guid, httpsOrigin, wildcardOr } from './fields';
import { INSTANCE_CA_SETTING } from './instanceTrustSettings';
import { deepFreeze, parseSettings } from './parseSettings';
import type { SettingsSource } from './settingsSource';
import { refuseUnknownSettings } from './unknownSettings';
import { SettingsError } from './settingsError';
import { AuthorityConfigError, defaultAuthority, type AuthorityConfig } from '../authorities/authorityConfig';
import { authorityListSchema, normaliseAuthorities } from '../authorities/authoritySchema';
import { buildAuthorityRoutes } from '../authorities/authorityRoutes';

export const TOKEN_VERSIONS = ['1.0', '2.0'] as const;
export type TokenVersion = (typeof TOKEN_VERSIONS)[number];

export type TenantMode =
  /** Tokens from exactly one tenant. */
  | { readonly kind: 'single'; readonly tenantId: string }
  /** A multi-tenant API: metadata from `organizations`/`common`, tenants filtered by the allow-list. */
  | {
      readonly kind: 'multi';
      readonly authorityTenant: 'organizations' | 'common';
      readonly allowedTenants: readonly string[] | 'any';
    };

export interface AuthSettings {
  readonly tenant: TenantMode;
  /** The API app registration's client ID: the `aud` of v2 tokens. */
  readonly clientId: string;
  readonly appIdUri: string | undefined;
  /** Every `aud` value accepted: the client ID and the App ID URI with and without a trailing slash. */
  readonly audiences: readonly string[];
  /** Authority host as an origin, no trailing slash. */
  readonly instance: string;
  /** Caller app IDs (`azp` / `appid`) allowed to call; undefined means any. */
  readonly allowedClientApps: readonly string[] | undefined;
  /**
   * Accept tokens that carry neither `roles` nor `scp` on routes that admit any
   * valid token (Microsoft.Identity.Web's "ACL" mode). Only ever true together with
   * allowedClientApps, which is then the access control.
   */
  readonly allowTokensWithoutPermissions: boolean;
  readonly tokenVersions: readonly TokenVersion[];
  readonly clockSkewSeconds: number;
  /** Longest lifetime (nbf, or iat, to exp) a token may have; also caps how long a verified token stays cached. */
  readonly maxTokenLifetimeSeconds: number;
  /**
   * Every authority trusted, each with its own issuers, audiences and key sets. In the
   * AUTH_* form one workforce authority named `default`, built from the fields above; with
   * AUTH_AUTHORITIES those fields are the first authority's (its tenant, client ID, origin).
   */
  readonly authorities: readonly AuthorityConfig[];
}

/** The structured setting for several authorities: a JSON array (see README, "Several authorities"). */
export const AUTHORITIES_SETTING = 'AUTH_AUTHORITIES';

/** Per-authority in AUTH_AUTHORITIES; set beside it they would be ambiguous, so they are refused. */
const PER_AUTHORITY_SETTINGS = ['AUTH_TENANT_ID', 'AUTH_CLIENT_ID', 'AUTH_APP_ID_URI', 'AUTH_INSTANCE', 'AUTH_ALLOWED_TENANTS', 'AUTH_TOKEN_VERSIONS'] as const;

const MULTI_TENANT = ['organizations', 'common'] as const;

const schema = z
  .object({
    AUTH_TENANT_ID: z.union([z.enum(MULTI_TENANT), guid('the tenant ID, or organizations / common')], {
      error: (issue) => (issue.input === undefined ? 'is required' : 'must be a tenant GUID, or organizations / common'),
    }),
    AUTH_CLIENT_ID: guid("the API app registration's client ID"),
    AUTH_APP_ID_URI: z.optional(
      z.string().check(z.regex(/^(api|https):\/\/[^\s?#/][^\s?#]*$/, { error: 'must be an App ID URI such as api://orders-api or https://contoso.com/orders' })),
    ),
    AUTH_INSTANCE: z._default(httpsOrigin, 'https://login.microsoftonline.com'),
    AUTH_ALLOWED_TENANTS: z.optional(wildcardOr(commaList(guid('tenant IDs, or * for any'), 'tenant GUID'))),
    AUTH_ALLOWED_CLIENT_APPS: z.optional(commaList(guid('caller app IDs'), 'client app ID')),
    AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS: z._default(
      z.pipe(
        z.enum(['true', 'false'], { error: 'must be true or false' }),
        z.transform((value: 'true' | 'false') => value === 'true'),
      ),
      false,
    ),
    AUTH_TOKEN_VERSIONS: z._default(commaList(z.enum(TOKEN_VERSIONS, { error: 'must list 1.0 and/or 2.0' }), 'token version'), [...TOKEN_VERSIONS]),
    AUTH_CLOCK_SKEW_SECONDS: z._default(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number of seconds' })), z.transform(Number)),
        // A run of digits too long for a number reads as Infinity, which z.number() refuses.
        z.number({ error: typeMismatch }).check(z.maximum(600, { error: 'must be at most 600 seconds' })),
      ),
      300,
    ),
    // Entra's access tokens live 60-90 min by default, at most 1 day under a token lifetime policy, and 20-28 h in
    // CAE sessions: 28 h (100800 s) admits every one of them and nothing that lives for years.
    AUTH_MAX_TOKEN_LIFETIME_SECONDS: z._default(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number of seconds' })), z.transform(Number)),
        z.number({ error: typeMismatch }).check(
          z.minimum(600, { error: 'must be at least 600 seconds (Entra access tokens live at least 10 minutes)' }),
          z.maximum(604_800, { error: 'must be at most 604800 seconds (7 days)' }),
        ),
      ),
      100_800,
    ),
  })
  .check(z.superRefine((s, ctx) => {
    const multi = s.AUTH_TENANT_ID === 'organizations' || s.AUTH_TENANT_ID === 'common';
    if (multi && s.AUTH_ALLOWED_TENANTS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_ALLOWED_TENANTS'],
        message: `is required when AUTH_TENANT_ID is ${s.AUTH_TENANT_ID}: list the tenant GUIDs to accept, or write * to accept any tenant`,
      });
    }
    if (s.AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS && s.AUTH_ALLOWED_CLIENT_APPS === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS'],
        message:
          'true needs AUTH_ALLOWED_CLIENT_APPS: without roles or scopes, the list of caller app IDs is the only access control, so name the apps allowed to call',
      });
    }
    if (!multi && s.AUTH_ALLOWED_TENANTS !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_ALLOWED_TENANTS'],
        message: 'applies only to a multi-tenant API (AUTH_TENANT_ID organizations or common); a single-tenant API accepts its own tenant only',
      });
    }
  }));

/** Every setting this module reads, for checks that the deployment sets real names. */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(schema.shape));
const NAMES = SETTING_NAMES;
/** Read by loadInstanceTrustSettings, so known here too. */
const KNOWN_NAMES: readonly string[] = Object.freeze([...SETTING_NAMES, INSTANCE_CA_SETTING, AUTHORITIES_SETTING]);

export interface LoadAuthSettingsOptions {
  /** AUTH_* names the app reads itself: left alone instead of refused as misspellings. */
  readonly ignoreSettings?: readonly string[];
}

/**
 * Parses the AUTH_* settings once, at startup. Throws SettingsError naming the bad
 * setting, or an AUTH_* name the package does not read (with the closest one it does).
 */
export function loadAuthSettings(source: SettingsSource, options: LoadAuthSettingsOptions = {}): AuthSettings {
  // First: a misspelt name otherwise surfaces as "AUTH_X is required", or not at all.
  refuseUnknownSettings(source, 'AUTH_', KNOWN_NAMES, options.ignoreSettings);
  const authorities = readAuthorities(source);
  const s = parseSettings(schema, authorities ? { ...source, ...firstAuthoritySettings(authorities[0] as AuthorityConfig) } : source, NAMES);
  const clientId = s.AUTH_CLIENT_ID;
  const appIdUri = s.AUTH_APP_ID_URI?.replace(/\/+$/, '');
  const tenant: TenantMode =
    s.AUTH_TENANT_ID === 'organizations' || s.AUTH_TENANT_ID === 'common'
      ? { kind: 'multi', authorityTenant: s.AUTH_TENANT_ID, allowedTenants: s.AUTH_ALLOWED_TENANTS === '*' ? 'any' : (s.AUTH_ALLOWED_TENANTS ?? []) }
      : { kind: 'single', tenantId: s.AUTH_TENANT_ID };
  return deepFreeze<AuthSettings>({
    tenant,
    clientId,
    appIdUri,
    audiences: appIdUri === undefined ? [clientId] : [clientId, appIdUri, `${appIdUri}/`],
    instance: s.AUTH_INSTANCE,
    allowedClientApps: s.AUTH_ALLOWED_CLIENT_APPS,
    allowTokensWithoutPermissions: s.AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS,
    tokenVersions: s.AUTH_TOKEN_VERSIONS,
    clockSkewSeconds: s.AUTH_CLOCK_SKEW_SECONDS,
    maxTokenLifetimeSeconds: s.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
    authorities: authorities ?? [defaultAuthority({ tenant, clientId, appIdUri, audiences: appIdUri === undefined ? [clientId] : [clientId, appIdUri, `${appIdUri}/`], instance: s.AUTH_INSTANCE, tokenVersions: s.AUTH_TOKEN_VERSIONS })],
  });
}

/**
 * AUTH_AUTHORITIES, when set: a JSON array of authorities, checked whole. Every problem is
 * a SettingsError naming the entry and field (`AUTH_AUTHORITIES[1].userFlows`); an issuer
 * two entries would claim is refused here too, so the app never starts ambiguous.
 */
function readAuthorities(source: SettingsSource): readonly AuthorityConfig[] | undefined {
  const raw = source[AUTHORITIES_SETTING]?.trim();
  if (raw === undefined || raw === '') return undefined;
  for (const name of PER_AUTHORITY_SETTINGS) {
    const value = source[name]?.trim();
    if (value !== undefined && value !== '') {
      throw new SettingsError(name, `cannot be set beside ${AUTHORITIES_SETTING}: each authority names its own (move it into the authority's entry)`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new SettingsError(AUTHORITIES_SETTING, 'must be a JSON array of authorities, such as [{"name":"employees","kind":"workforce","tenantId":"…","clientId":"…"}]');
  }
  const parsed = authorityListSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = (issue?.path ?? []).map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    // A field the entry's kind does not have is most likely misspelt: refused like an unknown AUTH_* name.
    if (issue?.code === 'unrecognized_keys') throw new SettingsError(`${AUTHORITIES_SETTING}${where}.${issue.keys[0] ?? ''}`, 'is not a field of this kind of authority (misspelt?)');
    throw new SettingsError(`${AUTHORITIES_SETTING}${where}`, issue?.message ?? 'invalid value');
  }
  try {
    const authorities = normaliseAuthorities(parsed.data);
    buildAuthorityRoutes(authorities);
    return authorities;
  } catch (error) {
    if (!(error instanceof AuthorityConfigError)) throw error;
    const where = error.where.startsWith('[') ? error.where : ` (authority ${error.where})`;
    throw new SettingsError(`${AUTHORITIES_SETTING}${where}`, error.message);
  }
}

/** The first authority as the AUTH_* fields, so AuthSettings keeps one shape and the same checks run. */
function firstAuthoritySettings(authority: AuthorityConfig): Record<string, string | undefined> {
  const fields: Record<string, string | undefined> = { AUTH_CLIENT_ID: authority.clientId, AUTH_APP_ID_URI: authority.appIdUri };
  if (authority.kind === 'workforce') {
    const { tenant } = authority;
    return {
      ...fields,
      AUTH_TENANT_ID: tenant.kind === 'single' ? tenant.tenantId : tenant.authorityTenant,
      ...(tenant.kind === 'multi' && { AUTH_ALLOWED_TENANTS: tenant.allowedTenants === 'any' ? '*' : tenant.allowedTenants.join(',') }),
      AUTH_INSTANCE: authority.instance,
      AUTH_TOKEN_VERSIONS: authority.tokenVersions.join(','),
    };
  }
  return {
    ...fields,
    AUTH_TENANT_ID: authority.tenantId,
    AUTH_INSTANCE:
      authority.discoveryBase !== undefined
        ? new URL(authority.discoveryBase).origin
        : authority.kind === 'externalId'
          ? `https://${authority.tenantName}.ciamlogin.com`
          : `https://${authority.host}`,
    AUTH_TOKEN_VERSIONS: authority.kind === 'externalId' ? '2.0' : '1.0',
  };
}
