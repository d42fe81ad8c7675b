import { timingSafeEqual } from 'node:crypto';
import { appOnlyAccessTokenClaims, signAccessToken, tokenVersionFor } from './accessTokens';
import { externalIdIssuer } from './authorityDocuments';
import { MULTI_TENANT_ALIASES } from './discoveryDocuments';
import { JWT_BEARER, onBehalfOf } from './onBehalfOf';
import { problems, type EntraProblem } from './entraErrors';
import type { ApiRegistration, ClientRegistration, Registry } from './registry';
import type { StandinSigningKey } from './signingKeys';

/** A request to `/{tenant}/oauth2/v2.0/token` (`v2`) or `/{tenant}/oauth2/token` (`v1`), as received. */
export interface TokenRequest {
  readonly endpoint: 'v1' | 'v2';
  readonly tenantSegment: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** The v2 endpoint's success body. */
export interface TokenResponseV2 {
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly access_token: string;
}

/** The v1 endpoint's success body: numbers as strings, plus the resource, as Entra's v1 endpoint answers. */
export interface TokenResponseV1 {
  readonly token_type: 'Bearer';
  readonly expires_in: string;
  readonly ext_expires_in: string;
  readonly expires_on: string;
  readonly not_before: string;
  readonly resource: string;
  readonly access_token: string;
}

export type TokenResult =
  | { readonly ok: true; readonly body: TokenResponseV2 | TokenResponseV1; readonly clientId: string }
  | { readonly ok: false; readonly problem: EntraProblem };

export interface TokenEndpointDependencies {
  readonly registry: Registry;
  readonly origin: string;
  /** The key that signs right now. */
  readonly signingKey: () => StandinSigningKey;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly lifetimeSeconds: number;
  /**
   * Whose tokens this endpoint issues: the workforce tenant's (default), or the registry's
   * External ID tenant's (`/_ciam/{tenant}/oauth2/v2.0/token`: the ciamlogin issuer, always
   * v2, which External ID requires of its apps; client_credentials only).
   */
  readonly issuer?: 'workforce' | 'externalId';
}

const DEFAULT_SUFFIX = '/.default';

/**
 * The client_credentials grant (and, on the v2 endpoint, on-behalf-of: onBehalfOf.ts) with a client secret (form body or HTTP Basic), checked
 * in the order that yields Entra's errors: tenant, grant type, client, secret, scope
 * (or v1 resource). The token's version follows the API registration.
 */
export async function handleTokenRequest(request: TokenRequest, deps: TokenEndpointDependencies): Promise<TokenResult> {
  const fail = (problem: EntraProblem): TokenResult => ({ ok: false, problem });
  const { registry } = deps;

  const segment = request.tenantSegment.toLowerCase();
  if ((MULTI_TENANT_ALIASES as readonly string[]).includes(segment)) return fail(problems.noTenantInRequest());
  const externalId = deps.issuer === 'externalId';
  const served = externalId ? registry.externalIdTenant : registry.tenant;
  if (segment !== served.id && segment !== served.domain.toLowerCase()) return fail(problems.tenantNotFound(request.tenantSegment, 'invalid_request'));

  const form = readForm(request);
  if (!form) return fail(problems.malformedRequest());

  const grantType = form.get('grant_type');
  if (grantType === undefined) return fail(problems.missingParameter('grant_type'));
  const onBehalf = grantType === JWT_BEARER && request.endpoint === 'v2' && !externalId;
  if (grantType !== 'client_credentials' && !onBehalf) return fail(problems.unsupportedGrantType(grantType));

  const credentials = readClientCredentials(form, request.authorization);
  if (credentials === 'conflict') return fail(problems.malformedRequest());
  if (credentials.clientId === undefined) return fail(problems.missingParameter('client_id'));
  const client = registry.clientById(credentials.clientId);
  if (!client) return fail(problems.unknownClient(credentials.clientId, request.tenantSegment));
  if (credentials.secret === undefined) return fail(problems.missingClientCredential());
  if (!sameSecret(credentials.secret, client.secret)) return fail(problems.invalidClientSecret(client.clientId));

  if (onBehalf) {
    const issued = await onBehalfOf({
      form,
      client,
      registry,
      origin: deps.origin,
      signingKey: deps.signingKey(),
      nowSeconds: Math.floor(deps.now() / 1000),
      lifetimeSeconds: deps.lifetimeSeconds,
    });
    if (!issued.ok) return fail(issued.problem);
    const lifetime = deps.lifetimeSeconds;
    return { ok: true, body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: issued.accessToken }, clientId: client.clientId };
  }

  const target = request.endpoint === 'v2' ? resourceFromScope(form.get('scope')) : resourceFromV1(form.get('resource'));
  if ('problem' in target) return fail(target.problem);
  const api = registry.apiByResource(target.resource);
  if (!api) return fail(problems.unknownResource(target.resource, request.tenantSegment));

  return { ok: true, body: await issue(client, api, target.resource, request.endpoint, deps, externalId), clientId: client.clientId };
}

async function issue(client: ClientRegistration, api: ApiRegistration, resource: string, endpoint: 'v1' | 'v2', deps: TokenEndpointDependencies, externalId: boolean): Promise<TokenResponseV2 | TokenResponseV1> {
  const nowSeconds = Math.floor(deps.now() / 1000);
  const issuedFor: ApiRegistration = externalId ? { ...api, requestedAccessTokenVersion: 2 } : api;
  const claims = appOnlyAccessTokenClaims({
    origin: deps.origin,
    tenant: externalId ? deps.registry.externalIdTenant : deps.registry.tenant,
    api: issuedFor,
    client,
    roles: deps.registry.rolesOf(client, api),
    resource,
    nowSeconds,
    lifetimeSeconds: deps.lifetimeSeconds,
  });
  if (externalId) claims.iss = externalIdIssuer(deps.registry.externalIdTenant.id);
  const accessToken = await signAccessToken(claims, deps.signingKey(), tokenVersionFor(issuedFor));
  const lifetime = deps.lifetimeSeconds;
  if (endpoint === 'v2') return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
  return {
    token_type: 'Bearer',
    expires_in: String(lifetime),
    ext_expires_in: String(lifetime),
    expires_on: String(nowSeconds + lifetime),
    not_before: String(claims.nbf),
    resource,
    access_token: accessToken,
  };
}

/**
 * The form parameters, or undefined when one is repeated. A body that is not
 * form-encoded reads as empty, so it fails on the first missing parameter, as in Entra.
 */
function readForm(request: TokenRequest): Map<string, string> | undefined {
  const form = new Map<string, string>();
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.contentType ?? '')) return form;
  for (const [key, value] of new URLSearchParams(request.body)) {
    if (form.has(key)) return undefined;
    form.set(key, value);
  }
  return form;
}

interface ClientCredentials {
  readonly clientId: string | undefined;
  readonly secret: string | undefined;
}

/**
 * client_id and client_secret from the body and/or HTTP Basic (RFC 6749 §2.3.1:
 * both parts form-encoded, then base64). The two may repeat each other but not disagree.
 */
function readClientCredentials(form: Map<string, string>, authorization: string | undefined): ClientCredentials | 'conflict' {
  const body = { clientId: form.get('client_id'), secret: form.get('client_secret') };
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return body;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'conflict';
  let basic: ClientCredentials;
  try {
    basic = { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return 'conflict';
  }
  if ((body.clientId !== undefined && body.clientId !== basic.clientId) || (body.secret !== undefined && body.secret !== basic.secret)) return 'conflict';
  return basic;
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '));
}

function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** client_credentials takes exactly one `{resource}/.default` scope (Entra: AADSTS1002012, AADSTS28000). */
function resourceFromScope(scope: string | undefined): { resource: string } | { problem: EntraProblem } {
  if (scope === undefined || scope.trim() === '') return { problem: problems.missingParameter('scope') };
  const scopes = scope.trim().split(/\s+/);
  const notDefault = scopes.find((value) => !value.endsWith(DEFAULT_SUFFIX) || value.length === DEFAULT_SUFFIX.length);
  if (notDefault !== undefined) return { problem: problems.scopeNotDefault(notDefault) };
  const resources = new Set(scopes.map((value) => value.slice(0, -DEFAULT_SUFFIX.length).toLowerCase()));
  const [resource] = scopes.map((value) => value.slice(0, -DEFAULT_SUFFIX.length));
  if (resources.size > 1 || resource === undefined) return { problem: problems.scopeWithSeveralResources(scope) };
  return { resource };
}

/** The v1 endpoint names the API in `resource`, without `/.default`. */
function resourceFromV1(resource: string | undefined): { resource: string } | { problem: EntraProblem } {
  if (resource === undefined || resource.trim() === '') return { problem: problems.missingParameter('resource') };
  return { resource: resource.trim().replace(/\/+$/, '') };
}
