import * as z from 'zod/mini';
import type { TenantMode } from '../settings/authSettings';
import { GUID_PATTERN } from '../settings/fields';
import { AuthorityConfigError, type AuthorityConfig, type AuthorityInput, type B2cAuthority, type ExternalIdAuthority, type WorkforceAuthority } from './authorityConfig';

/**
 * The authority list's schema (AUTH_AUTHORITIES, the `authorities` option) and its
 * normalisation into AuthorityConfig. Kept apart from the types so that no public
 * declaration reaches zod.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** One DNS label: a tenant name is never a host, a suffix or a pattern. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const USER_FLOW = /^B2C_1A?_[A-Za-z0-9_-]{1,100}$/i;
const APP_ID_URI = /^(api|https):\/\/[^\s?#/][^\s?#]*$/;
/** A local stand-in's URL: loopback only, so nothing dev-only can name a host reachable in Azure. */
const LOOPBACK_BASE = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(\/[A-Za-z0-9._~-]+)*$/;

const noPattern = (what: string) => (value: string) => (/[*?]/.test(value) ? `must be ${what} exactly: wildcards and patterns are refused` : undefined);

const text = (pattern: RegExp, message: string, extra?: (value: string) => string | undefined) =>
  z.string({ error: `must be a string (${message})` }).check(
    z.superRefine((value, ctx) => {
      const problem = extra?.(value) ?? (pattern.test(value) ? undefined : `must be ${message}`);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
    }),
  );

const guidText = (what: string) => text(GUID_PATTERN, `a GUID (${what})`);
const label = (what: string) =>
  text(LABEL, `${what}: one lower-case DNS label (contoso, not contoso.ciamlogin.com)`, (value) =>
    noPattern(what)(value) ?? (value.includes('.') ? `must be ${what} alone, one DNS label without dots (contoso, not contoso.example.com)` : undefined),
  );
const guidList = (what: string) => z.array(guidText(what)).check(z.minLength(1, { error: `must list at least one ${what}` }));

const discoveryBase = z.optional(text(LOOPBACK_BASE, 'a loopback URL such as https://127.0.0.1:7443/_ciam (local development only)', noPattern('a URL')));

const common = {
  name: text(NAME, 'a name of letters, digits, - and _, starting with a letter'),
  clientId: guidText("the API app registration's client ID in this tenant"),
  appIdUri: z.optional(text(APP_ID_URI, 'an App ID URI such as api://orders-api', noPattern('an App ID URI'))),
  allowedClientApps: z.optional(guidList('caller app ID')),
};

const workforce = z.strictObject({
  kind: z.literal('workforce'),
  ...common,
  tenantId: z.union([z.enum(['organizations', 'common']), guidText('the tenant ID, or organizations / common')], {
    error: 'must be a tenant GUID, or organizations / common',
  }),
  allowedTenants: z.optional(z.union([z.literal('*'), guidList('tenant ID')], { error: 'must be a list of tenant GUIDs, or "*"' })),
  instance: z.optional(text(/^https:\/\/[a-z0-9.-]+(:\d+)?$|^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/, 'an https origin such as https://login.microsoftonline.com', noPattern('an origin'))),
  tokenVersions: z.optional(z.array(z.enum(['1.0', '2.0'], { error: 'must list 1.0 and/or 2.0' })).check(z.minLength(1, { error: 'must list 1.0 and/or 2.0' }))),
});

const externalId = z.strictObject({
  kind: z.literal('externalId'),
  ...common,
  tenantId: guidText('the External ID tenant ID'),
  tenantName: label('the tenant name'),
  acceptMicrosoftOnlineIssuer: z.optional(z.boolean({ error: 'must be true or false' })),
  discoveryBase,
});

const b2c = z.strictObject({
  kind: z.literal('b2c'),
  ...common,
  tenantId: guidText('the B2C tenant ID'),
  tenantName: label('the tenant name'),
  userFlows: z.array(text(USER_FLOW, 'a user flow or custom policy name such as B2C_1_signupsignin', noPattern('a user flow name'))).check(
    z.minLength(1, { error: 'must name at least one user flow: B2C publishes one key set per user flow' }),
  ),
  customDomain: z.optional(text(HOST, 'a host name such as login.contoso.com (no scheme, path or port)', noPattern('a host name'))),
  discoveryBase,
});

const entry = z.discriminatedUnion('kind', [workforce, externalId, b2c], { error: 'kind must be workforce, externalId or b2c' });

export const authorityListSchema = z.array(entry).check(z.minLength(1, { error: 'must list at least one authority' }), z.maxLength(32, { error: 'lists at most 32 authorities' }));

/**
 * Normalises parsed entries (GUIDs lower case, audiences worked out) and refuses what
 * the schema cannot see alone: two entries of one name. Two authorities claiming one
 * issuer is refused where issuers are worked out (authorityRoutes.ts).
 */
export function normaliseAuthorities(parsed: z.output<typeof authorityListSchema>): readonly AuthorityConfig[] {
  const seen = new Set<string>();
  return parsed.map((raw, index) => {
    if (seen.has(raw.name)) throw new AuthorityConfigError(`[${index}].name`, `"${raw.name}" names two authorities; each name must be unique`);
    seen.add(raw.name);
    const clientId = raw.clientId.toLowerCase();
    const appIdUri = raw.appIdUri?.replace(/\/+$/, '');
    const base = {
      name: raw.name,
      clientId,
      appIdUri,
      audiences: appIdUri === undefined ? [clientId] : [clientId, appIdUri, `${appIdUri}/`],
      allowedClientApps: raw.allowedClientApps && [...new Set(raw.allowedClientApps.map((id) => id.toLowerCase()))],
    };
    switch (raw.kind) {
      case 'workforce': {
        const tenantId = raw.tenantId.toLowerCase();
        const multi = tenantId === 'organizations' || tenantId === 'common';
        if (multi && raw.allowedTenants === undefined) {
          throw new AuthorityConfigError(`[${index}].allowedTenants`, `is required when tenantId is ${tenantId}: list the tenant GUIDs to accept, or "*"`);
        }
        if (!multi && raw.allowedTenants !== undefined) throw new AuthorityConfigError(`[${index}].allowedTenants`, 'applies only to a multi-tenant authority (tenantId organizations or common)');
        const tenant: TenantMode = multi
          ? {
              kind: 'multi',
              authorityTenant: tenantId,
              allowedTenants: raw.allowedTenants === '*' ? 'any' : (raw.allowedTenants ?? []).map((id) => id.toLowerCase()),
            }
          : { kind: 'single', tenantId };
        return {
          ...base,
          kind: 'workforce',
          tenant,
          instance: raw.instance ?? 'https://login.microsoftonline.com',
          tokenVersions: raw.tokenVersions ? [...new Set(raw.tokenVersions)] : ['1.0', '2.0'],
        } satisfies WorkforceAuthority;
      }
      case 'externalId':
        // External ID issues v2 tokens only (accessTokenAcceptedVersion 2 is required for its apps).
        return {
          ...base,
          kind: 'externalId',
          tenantId: raw.tenantId.toLowerCase(),
          tenantName: raw.tenantName,
          // A local stand-in serves the ciamlogin form only: the login.microsoftonline.com issuer is not accepted then.
          acceptMicrosoftOnlineIssuer: raw.discoveryBase === undefined && (raw.acceptMicrosoftOnlineIssuer ?? true),
          discoveryBase: raw.discoveryBase,
        } satisfies ExternalIdAuthority;
      case 'b2c': {
        const flows = new Map<string, string>();
        for (const flow of raw.userFlows) {
          if (flows.has(flow.toLowerCase())) throw new AuthorityConfigError(`[${index}].userFlows`, `names the user flow ${flow} twice (user flow names are case-insensitive)`);
          flows.set(flow.toLowerCase(), flow);
        }
        return {
          ...base,
          kind: 'b2c',
          tenantId: raw.tenantId.toLowerCase(),
          tenantName: raw.tenantName,
          userFlows: [...flows.values()],
          host: raw.customDomain ?? `${raw.tenantName}.b2clogin.com`,
          discoveryBase: raw.discoveryBase,
        } satisfies B2cAuthority;
      }
    }
  });
}


/** Compile time only: what the schema accepts must be an AuthorityInput (a mismatch fails the build). */
type HoldsTrue<T extends true> = T;
export type SchemaAcceptsAuthorityInput = HoldsTrue<z.input<typeof entry> extends AuthorityInput ? true : false>;
