import { CANONICAL_GUID } from '../settings/fields';
import type { TokenVersion } from '../settings/authSettings';
import { TENANT_TEMPLATE } from '../entra/openIdMetadata';
import { AuthorityConfigError, type AuthorityConfig, type B2cAuthority } from './authorityConfig';

/**
 * Where one key set comes from: its discovery document, for one authority (and, in
 * B2C, one user flow). Each source gets its own key store and verified-token cache, so a
 * key found in one source's set never verifies a token routed to another.
 */
export interface KeySource {
  /** `employees`, `customers/ciamlogin`, `legacyCustomers/B2C_1_signin`: for logs and telemetry. */
  readonly id: string;
  readonly authority: AuthorityConfig;
  /** The origin discovery is served from; the key set must be served from it too. */
  readonly instance: string;
  /** The tenant segment of the discovery URL (workforce and External ID). */
  readonly tenant: string;
  readonly tokenVersions: readonly TokenVersion[];
  /** B2C: the user flow, and the discovery document's URL and exact issuer. */
  readonly userFlow?: string;
  readonly discoveryUrl?: string;
  readonly expectedIssuer?: string;
}

/** One issuer an authority claims, exact or with `{tenantid}` (multi-tenant workforce only). */
export interface IssuerRoute {
  readonly issuer: string;
  readonly authority: AuthorityConfig;
  /** The key source for tokens of this issuer; for B2C, by lower-cased user flow. */
  readonly source: KeySource | ReadonlyMap<string, KeySource>;
}

export interface AuthorityRoutes {
  readonly sources: readonly KeySource[];
  readonly routes: readonly IssuerRoute[];
  /**
   * The route for a token's `iss`: an exact string match, or for a `{tenantid}` issuer an
   * exact match once the token's own (canonical) `tid` is put in. Never a prefix, suffix or
   * substring comparison, never case-folded.
   */
  find(iss: string, tid: unknown): IssuerRoute | undefined;
}

/** The v1 (`sts`) issuer origin for a workforce authority origin: sovereign clouds have their own. */
function v1IssuerOrigin(instance: string): string {
  return instance === 'https://login.chinacloudapi.cn' || instance === 'https://login.partner.microsoftonline.cn' ? 'https://sts.chinacloudapi.cn' : 'https://sts.windows.net';
}

/** External ID: the issuer's host label is the tenant GUID, not its name. */
export function externalIdIssuer(tenantId: string): string {
  return `https://${tenantId}.ciamlogin.com/${tenantId}/v2.0`;
}

/** B2C's default issuer form: the tenant GUID in the path, a trailing slash. */
export function b2cIssuer(authority: Pick<B2cAuthority, 'host' | 'tenantId'>): string {
  return `https://${authority.host}/${authority.tenantId}/v2.0/`;
}

/** The discovery document of one B2C user flow. */
export function b2cDiscoveryUrl(authority: Pick<B2cAuthority, 'host' | 'tenantName' | 'discoveryBase'>, userFlow: string): string {
  return `${authority.discoveryBase ?? `https://${authority.host}`}/${authority.tenantName}.onmicrosoft.com/${userFlow.toLowerCase()}/v2.0/.well-known/openid-configuration`;
}

/**
 * Works out every issuer and key source of the configured authorities, at startup,
 * and refuses an issuer two authorities would claim: a token must have exactly one
 * authority, known from its `iss` before any key is looked up.
 */
export function buildAuthorityRoutes(authorities: readonly AuthorityConfig[]): AuthorityRoutes {
  const sources: KeySource[] = [];
  const routes: IssuerRoute[] = [];
  for (const authority of authorities) {
    switch (authority.kind) {
      case 'workforce': {
        const tenant = authority.tenant.kind === 'single' ? authority.tenant.tenantId : authority.tenant.authorityTenant;
        const issuerTenant = authority.tenant.kind === 'single' ? authority.tenant.tenantId : TENANT_TEMPLATE;
        const source: KeySource = { id: authority.name, authority, instance: authority.instance, tenant, tokenVersions: authority.tokenVersions };
        sources.push(source);
        if (authority.tokenVersions.includes('2.0')) routes.push({ issuer: `${authority.instance}/${issuerTenant}/v2.0`, authority, source });
        if (authority.tokenVersions.includes('1.0')) routes.push({ issuer: `${v1IssuerOrigin(authority.instance)}/${issuerTenant}/`, authority, source });
        break;
      }
      case 'externalId': {
        const base = authority.discoveryBase;
        const ciam: KeySource = {
          id: `${authority.name}/ciamlogin`,
          authority,
          instance: base === undefined ? `https://${authority.tenantName}.ciamlogin.com` : new URL(base).origin,
          tenant: authority.tenantId,
          tokenVersions: ['2.0'],
          // A local stand-in: its document at the base, held to the exact ciamlogin issuer.
          ...(base !== undefined && {
            discoveryUrl: `${base}/${authority.tenantId}/v2.0/.well-known/openid-configuration`,
            expectedIssuer: externalIdIssuer(authority.tenantId),
          }),
        };
        sources.push(ciam);
        routes.push({ issuer: externalIdIssuer(authority.tenantId), authority, source: ciam });
        if (authority.acceptMicrosoftOnlineIssuer) {
          const microsoftOnline: KeySource = {
            id: `${authority.name}/microsoftonline`,
            authority,
            instance: 'https://login.microsoftonline.com',
            tenant: authority.tenantId,
            tokenVersions: ['2.0'],
          };
          sources.push(microsoftOnline);
          routes.push({ issuer: `https://login.microsoftonline.com/${authority.tenantId}/v2.0`, authority, source: microsoftOnline });
        }
        break;
      }
      case 'b2c': {
        const byFlow = new Map<string, KeySource>();
        const issuer = b2cIssuer(authority);
        for (const userFlow of authority.userFlows) {
          const source: KeySource = {
            id: `${authority.name}/${userFlow}`,
            authority,
            instance: authority.discoveryBase === undefined ? `https://${authority.host}` : new URL(authority.discoveryBase).origin,
            tenant: authority.tenantId,
            tokenVersions: ['1.0'],
            userFlow,
            discoveryUrl: b2cDiscoveryUrl(authority, userFlow),
            expectedIssuer: issuer,
          };
          sources.push(source);
          byFlow.set(userFlow.toLowerCase(), source);
        }
        routes.push({ issuer, authority, source: byFlow });
        break;
      }
    }
  }
  refuseSharedIssuers(routes);

  const exact = new Map<string, IssuerRoute>();
  const templated: IssuerRoute[] = [];
  for (const route of routes) {
    if (route.issuer.includes(TENANT_TEMPLATE)) templated.push(route);
    else exact.set(route.issuer, route);
  }
  return Object.freeze({
    sources: Object.freeze(sources),
    routes: Object.freeze(routes),
    find(iss: string, tid: unknown): IssuerRoute | undefined {
      const route = exact.get(iss);
      if (route) return route;
      if (templated.length === 0 || typeof tid !== 'string' || !CANONICAL_GUID.test(tid)) return undefined;
      return templated.find((candidate) => candidate.issuer.replace(TENANT_TEMPLATE, tid) === iss);
    },
  });
}

function refuseSharedIssuers(routes: readonly IssuerRoute[]): void {
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const a = routes[i] as IssuerRoute;
      const b = routes[j] as IssuerRoute;
      if (a.authority === b.authority) continue;
      if (issuersOverlap(a.issuer, b.issuer)) {
        throw new AuthorityConfigError(
          b.authority.name,
          `claims the issuer ${b.issuer}, which authority ${a.authority.name} claims too (${a.issuer}): a token's issuer must name exactly one authority`,
        );
      }
    }
  }
}

/** Whether one token `iss` could match both: equal, or a concrete issuer that a `{tenantid}` issuer matches. */
function issuersOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const [template, other] = a.includes(TENANT_TEMPLATE) ? [a, b] : [b, a];
  if (!template.includes(TENANT_TEMPLATE)) return false;
  const [before = '', after = ''] = template.split(TENANT_TEMPLATE);
  if (other.includes(TENANT_TEMPLATE)) return other.startsWith(before) && other.endsWith(after);
  if (!other.startsWith(before) || !other.endsWith(after) || other.length < before.length + after.length) return false;
  return CANONICAL_GUID.test(other.slice(before.length, other.length - after.length));
}
