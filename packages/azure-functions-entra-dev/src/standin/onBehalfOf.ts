import { createHash, createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { appOnlyAccessTokenClaims, signAccessToken, tokenVersionFor } from './accessTokens';
import { problems, type EntraProblem } from './entraErrors';
import type { ApiRegistration, ClientRegistration, Registry } from './registry';
import type { StandinSigningKey } from './signingKeys';

/** The on-behalf-of grant (RFC 7523 jwt-bearer with requested_token_use=on_behalf_of). */
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Scopes MSAL adds to every user-token request; they name no API. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const AUTHENTICATION_CONTEXT = /^c([1-9]|[1-9][0-9])$/;

export interface OnBehalfOfInput {
  readonly form: ReadonlyMap<string, string>;
  readonly client: ClientRegistration;
  readonly registry: Registry;
  readonly origin: string;
  readonly signingKey: StandinSigningKey;
  readonly nowSeconds: number;
  readonly lifetimeSeconds: number;
}

export type OnBehalfOfResult = { readonly ok: true; readonly accessToken: string } | { readonly ok: false; readonly problem: EntraProblem };

/**
 * A middle tier exchanges its signed-in user's token (the assertion, which this stand-in
 * signed) for a delegated token to another API, with the scopes it names. A `claims`
 * request for an authentication context (`{"access_token":{"acrs":{"essential":true,
 * "value":"c1"}}}`, what an API's claims challenge carries) is met at once: the new token's
 * `acrs` holds it, as Entra's does once the user has passed the Conditional Access policy.
 * Simplified from Entra: the assertion's audience is not matched to the middle tier.
 */
export async function onBehalfOf(input: OnBehalfOfInput): Promise<OnBehalfOfResult> {
  const fail = (problem: EntraProblem): OnBehalfOfResult => ({ ok: false, problem });
  const { form } = input;
  if (form.get('requested_token_use') !== 'on_behalf_of') return fail(problems.missingParameter('requested_token_use'));
  const assertion = form.get('assertion');
  if (assertion === undefined) return fail(problems.missingParameter('assertion'));
  let user: Record<string, unknown>;
  try {
    ({ payload: user } = await jwtVerify(assertion, createPublicKey(input.signingKey.privateKey), { algorithms: ['RS256'], clockTolerance: 300 }));
  } catch {
    return fail(problems.invalidAssertion());
  }
  if (typeof user.scp !== 'string' || typeof user.oid !== 'string') return fail(problems.assertionNotDelegated());

  const wanted = (form.get('scope') ?? '').split(/\s+/).filter((scope) => scope !== '' && !OIDC_SCOPES.has(scope));
  if (wanted.length === 0) return fail(problems.missingParameter('scope'));
  const target = apiAndScopes(wanted, input.registry);
  if ('problem' in target) return fail(target.problem);

  const acrs = requestedContext(form.get('claims'));
  if (acrs === null) return fail(problems.invalidClaimsRequest());

  const { api } = target;
  const claims = appOnlyAccessTokenClaims({
    origin: input.origin,
    tenant: input.registry.tenant,
    api,
    client: input.client,
    roles: [],
    resource: api.appIdUri,
    nowSeconds: input.nowSeconds,
    lifetimeSeconds: input.lifetimeSeconds,
  });
  delete claims.idtyp;
  const version = tokenVersionFor(api);
  Object.assign(claims, {
    oid: user.oid,
    sub: createHash('sha256').update(`${user.oid}:${input.client.clientId}`).digest('base64url'),
    scp: target.scopes.join(' '),
    ...(typeof user.name === 'string' && { name: user.name }),
    ...(version === '2.0' ? { azpacr: '1' } : { appidacr: '1' }),
    ...(acrs !== undefined && { acrs: [acrs] }),
  });
  return { ok: true, accessToken: await signAccessToken(claims, input.signingKey, version) };
}

/** `{App ID URI}/{scope}` for one API, each a scope it declares. */
function apiAndScopes(wanted: readonly string[], registry: Registry): { readonly api: ApiRegistration; readonly scopes: readonly string[] } | { readonly problem: EntraProblem } {
  let api: ApiRegistration | undefined;
  const scopes: string[] = [];
  for (const scope of wanted) {
    const slash = scope.lastIndexOf('/');
    const resource = scope.slice(0, slash);
    const name = scope.slice(slash + 1);
    const named = slash > 0 ? registry.apiByResource(resource) : undefined;
    if (!named || (api && named !== api)) return { problem: named ? problems.scopeWithSeveralResources(wanted.join(' ')) : problems.unknownResource(resource || scope, registry.tenant.id) };
    if (!named.scopes.some((declared) => declared.value === name)) return { problem: problems.scopeNotDeclared(scope) };
    api = named;
    scopes.push(name);
  }
  return api ? { api, scopes } : { problem: problems.missingParameter('scope') };
}

/** The authentication context a claims request asks for; undefined when none; null when the request is not JSON claims. */
function requestedContext(raw: string | undefined): string | undefined | null {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const value = (parsed as { access_token?: { acrs?: { value?: unknown } } }).access_token?.acrs?.value;
  if (value === undefined) return undefined;
  return typeof value === 'string' && AUTHENTICATION_CONTEXT.test(value) ? value : null;
}
