import * as z from 'zod/mini';
import type { TokenVersion } from '../settings/authSettings';
import { isLoopbackHost } from '../settings/fields';

/** The parts of an OpenID Provider configuration document the verifier uses. */
export interface OpenIdMetadata {
  /** The issuer, possibly the multi-tenant template `.../{tenantid}/...`. */
  readonly issuer: string;
  readonly jwksUri: string;
}

/** Where Entra publishes metadata for each token version (Microsoft identity platform docs). */
export function openIdConfigurationUrl(instance: string, tenant: string, version: TokenVersion): string {
  return version === '2.0'
    ? `${instance}/${tenant}/v2.0/.well-known/openid-configuration`
    : `${instance}/${tenant}/.well-known/openid-configuration`;
}

export const TENANT_TEMPLATE = '{tenantid}';

const document = z.object({ issuer: z.string().check(z.maxLength(512)), jwks_uri: z.string().check(z.maxLength(1024)) });

/**
 * Validates a discovery document for `tenant` (a GUID, or organizations/common).
 * The key set must be served from the authority's own origin, so a tampered or
 * misrouted document cannot point the verifier at someone else's keys; the issuer
 * must name the tenant (or the `{tenantid}` template) in the form of its version.
 */
export function parseOpenIdMetadata(body: unknown, instance: string, tenant: string, version: TokenVersion): OpenIdMetadata {
  const parsed = document.safeParse(body);
  if (!parsed.success) throw new Error('discovery document lacks issuer or jwks_uri');
  const { issuer, jwks_uri: jwksUri } = parsed.data;

  const keys = parseUrl(jwksUri, 'jwks_uri');
  if (keys.origin !== instance) throw new Error(`jwks_uri is served from ${keys.origin}, not from the authority ${instance}`);

  const expectedTenant = tenant === 'organizations' || tenant === 'common' ? TENANT_TEMPLATE : tenant;
  const segments = issuerPath(parseUrl(issuer.replace(TENANT_TEMPLATE, '00000000-0000-0000-0000-000000000000'), 'issuer'));
  const form = version === '2.0' ? '/{tenant}/v2.0' : '/{tenant}/';
  const issuerTenant = issuer.includes(TENANT_TEMPLATE) ? TENANT_TEMPLATE : segments[0];
  const matchesForm = version === '2.0' ? segments.length === 2 && segments[1] === 'v2.0' : segments.length === 1 && issuer.endsWith('/');
  if (!matchesForm || issuerTenant !== expectedTenant) {
    throw new Error(`issuer is not of the v${version} form ${form} for tenant ${expectedTenant}`);
  }
  return Object.freeze({ issuer, jwksUri });
}

function parseUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${field} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new Error(`${field} must use https`);
  }
  return url;
}

function issuerPath(url: URL): string[] {
  return url.pathname.split('/').filter(Boolean);
}
