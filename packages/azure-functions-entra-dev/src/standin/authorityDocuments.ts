import type { Registry, TenantRegistration } from './registry';
import type { StandinSigningKey } from './signingKeys';

/**
 * The stand-in's Entra External ID tenant and Azure AD B2C tenant, beside its workforce
 * tenant (each a tenant of its own, `externalIdTenant` and `b2cTenant` of the registry, and
 * each signing with keys of its own, as the real services do, so a key of one set never
 * verifies another's token), under path prefixes that stand
 * for the real hosts: `/_ciam` for {tenant-name}.ciamlogin.com and `/_b2c` for
 * {tenant-name}.b2clogin.com. The issuers are the real forms, exactly as the auth
 * package routes them: `https://{tenant-id}.ciamlogin.com/{tenant-id}/v2.0` and
 * `https://{tenant-name}.b2clogin.com/{tenant-id}/v2.0/`. An app points an authority's
 * `discoveryBase` at `{stand-in}/_ciam` or `{stand-in}/_b2c` (local development only).
 */
export const CIAM_PREFIX = '/_ciam';
export const B2C_PREFIX = '/_b2c';

export function externalIdIssuer(tenantId: string): string {
  return `https://${tenantId}.ciamlogin.com/${tenantId}/v2.0`;
}

/** A tenant's name: the first label of its onmicrosoft.com domain. */
export function tenantName(tenant: TenantRegistration): string {
  return tenant.domain.split('.')[0] ?? tenant.domain;
}

export function b2cIssuer(registry: Registry): string {
  return `https://${tenantName(registry.b2cTenant)}.b2clogin.com/${registry.b2cTenant.id}/v2.0/`;
}

export type AuthorityDocument = { readonly status: 200; readonly body: unknown } | { readonly status: 404; readonly body: unknown };

const notFound = (path: string): AuthorityDocument => ({ status: 404, body: { error: 'not_found', error_description: `The Entra stand-in serves no ${path}.` } });

/** The tenant segment of an External ID token endpoint path (`/_ciam/{tenant}/oauth2/v2.0/token`), else undefined. */
export function externalIdTokenTenant(path: string): string | undefined {
  return /^\/_ciam\/([A-Za-z0-9.-]{1,128})\/oauth2\/v2\.0\/token$/.exec(path)?.[1];
}

/** Each customer authority's published keys. */
export interface CustomerKeys {
  readonly externalId: readonly StandinSigningKey[];
  readonly b2c: readonly StandinSigningKey[];
}

/** `/_ciam/{tenant-id}/v2.0/.well-known/openid-configuration` and its key set; `/_b2c/{name}.onmicrosoft.com/{user flow}/v2.0/...` and its. */
export function authorityDocument(path: string, origin: string, registry: Registry, keys: CustomerKeys): AuthorityDocument {
  const ciam = /^\/_ciam\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(path);
  if (ciam) {
    const [, tenant = '', resource] = ciam;
    const { id } = registry.externalIdTenant;
    if (tenant.toLowerCase() !== id) return notFound(path);
    const base = `${origin}${CIAM_PREFIX}/${id}`;
    const issuer = externalIdIssuer(id);
    return resource === 'discovery/v2.0/keys'
      ? { status: 200, body: keySet(keys.externalId, issuer) }
      : { status: 200, body: document(issuer, base, `${base}/discovery/v2.0/keys`) };
  }
  const b2c = /^\/_b2c\/([^/]+)\.onmicrosoft\.com\/(b2c_1a?_[a-z0-9_-]{1,100})\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/i.exec(path);
  if (b2c) {
    const [, name = '', flow = '', resource] = b2c;
    if (name.toLowerCase() !== tenantName(registry.b2cTenant)) return notFound(path);
    const base = `${origin}${B2C_PREFIX}/${name}.onmicrosoft.com/${flow}`;
    // B2C key sets name no issuer per key.
    return resource === 'discovery/v2.0/keys'
      ? { status: 200, body: keySet(keys.b2c, undefined) }
      : { status: 200, body: document(b2cIssuer(registry), base, `${base}/discovery/v2.0/keys`) };
  }
  if (/^\/_b2c\/[^/]+\/[^/]+\/oauth2\/v2\.0\/(token|authorize)$/i.test(path)) {
    return { status: 404, body: { error: 'not_found', error_description: 'The stand-in does not sign users in through B2C user flows: get a B2C token with entra-dev token --authority b2c --user --scope <scope> (or the test kit\'s token({ authority: "b2c" })).' } };
  }
  return notFound(path);
}

function document(issuer: string, base: string, jwksUri: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    jwks_uri: jwksUri,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'profile', 'offline_access'],
  };
}

function keySet(keys: readonly StandinSigningKey[], issuer: string | undefined): { keys: Record<string, unknown>[] } {
  return { keys: keys.map((key) => ({ kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.x5t, n: key.n, e: key.e, x5c: [key.x5c], ...(issuer !== undefined && { issuer }) })) };
}
