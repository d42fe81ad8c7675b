import type { StandinSigningKey } from './signingKeys';

/**
 * Which tenant a metadata URL names: the registry's tenant (by GUID or domain; URLs
 * in the documents then carry the GUID, as Entra's do), or one of the multi-tenant
 * aliases, whose documents carry the `{tenantid}` template in issuers.
 */
export type MetadataTenant = { readonly kind: 'tenant'; readonly id: string } | { readonly kind: 'multi'; readonly alias: 'common' | 'organizations' };

export const MULTI_TENANT_ALIASES = ['common', 'organizations'] as const;

const TEMPLATE = '{tenantid}';

function pathSegment(tenant: MetadataTenant): string {
  return tenant.kind === 'tenant' ? tenant.id : tenant.alias;
}

function issuerSegment(tenant: MetadataTenant): string {
  return tenant.kind === 'tenant' ? tenant.id : TEMPLATE;
}

/** The v2 issuer for a tenant (or the `{tenantid}` template): `{origin}/{tenant}/v2.0`. */
export function v2Issuer(origin: string, tenant: MetadataTenant): string {
  return `${origin}/${issuerSegment(tenant)}/v2.0`;
}

/** The v1 issuer: always on sts.windows.net, whatever host served the document (as in every Entra cloud's public instance). */
export function v1Issuer(tenant: MetadataTenant): string {
  return `https://sts.windows.net/${issuerSegment(tenant)}/`;
}

const CLAIMS_SUPPORTED = ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'];

/**
 * `/{tenant}/v2.0/.well-known/openid-configuration`, with the members of Entra's
 * document. MSAL requires authorization_endpoint, token_endpoint, issuer and
 * jwks_uri, and checks that the issuer's host is the authority's.
 */
export function openIdConfigurationV2(origin: string, tenant: MetadataTenant): Record<string, unknown> {
  const base = `${origin}/${pathSegment(tenant)}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2Issuer(origin, tenant),
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: CLAIMS_SUPPORTED,
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: tenant.kind === 'tenant' ? 'NA' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** `/{tenant}/.well-known/openid-configuration`: the v1 document, issuer on sts.windows.net. */
export function openIdConfigurationV1(origin: string, tenant: MetadataTenant): Record<string, unknown> {
  const base = `${origin}/${pathSegment(tenant)}`;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: v1Issuer(tenant),
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: CLAIMS_SUPPORTED,
    check_session_iframe: `${base}/oauth2/checksession`,
    userinfo_endpoint: `${base}/openid/userinfo`,
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: tenant.kind === 'tenant' ? 'NA' : null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/**
 * A key set as Entra publishes it: kty RSA, use sig, kid, x5t, n, e, x5c. The v2
 * set names the issuer each key signs for (the `{tenantid}` template on the
 * multi-tenant aliases); the v1 set does not.
 */
export function keySetDocument(keys: readonly StandinSigningKey[], version: '1.0' | '2.0', origin: string, tenant: MetadataTenant): { keys: Record<string, unknown>[] } {
  return {
    keys: keys.map((key) => ({
      kty: 'RSA',
      use: 'sig',
      kid: key.kid,
      x5t: key.x5t,
      n: key.n,
      e: key.e,
      x5c: [key.x5c],
      cloud_instance_name: 'microsoftonline.com',
      ...(version === '2.0' && { issuer: v2Issuer(origin, tenant) }),
    })),
  };
}

/**
 * The answer of `/common/discovery/instance?api-version=1.1&authorization_endpoint=...`
 * for this host: one cloud whose only aliases are the stand-in's own names. MSAL
 * only asks this of login.microsoftonline.com; a client can pass this document as
 * its `cloudDiscoveryMetadata` option instead of listing the host in knownAuthorities.
 */
export function instanceDiscoveryDocument(origin: string, tenantPath: string): Record<string, unknown> {
  const { host, port } = new URL(origin);
  const aliases = [host, `localhost:${port}`];
  return {
    tenant_discovery_endpoint: `${origin}/${tenantPath}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases }],
  };
}
