import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BACKDATE_SECONDS, appOnlyAccessTokenClaims, tokenVersionFor, type IssuedTokenVersion } from './accessTokens';
import { b2cIssuer, externalIdIssuer } from './authorityDocuments';
import type { StandinAuthorityKind } from './devPaths';
import type { ApiRegistration, ClientRegistration, Registry } from './registry';
import { DEFAULT_USER_FLOW, TEST_USER, type TokenOptions } from './tokenOptions';

/*
 * Token shaping and the `/_standin/tokens` body (zod): kept apart from tokenOptions.ts, the
 * types the package's public declarations name, so that none of them reaches zod.
 */

/** A request the stand-in cannot shape: an unknown API or client, or a delegated token without scopes. */
export class TokenShapeError extends Error {
  readonly code = 'token_shape_invalid';

  constructor(message: string) {
    super(message);
    this.name = 'TokenShapeError';
  }
}

export interface ShapedToken {
  readonly claims: Record<string, unknown>;
  readonly version: IssuedTokenVersion;
  /** Whose keys sign it. */
  readonly authority: StandinAuthorityKind;
}

/** The claims of the chosen token, as the authority kind would shape them. */
export function shapeToken(request: TokenOptions, context: { readonly registry: Registry; readonly origin: string; readonly nowSeconds: number }): ShapedToken {
  const { registry } = context;
  const target = registry.apiByName(request.api) ?? refuse(`no API named ${request.api} in the registry; known: ${registry.apis.map((a) => a.name).join(', ')}`);
  const kind = request.kind ?? 'app';
  const callerName = request.client ?? (kind === 'app' ? 'writer' : 'reader');
  const caller: ClientRegistration = registry.clientByName(callerName) ?? refuse(`no client named ${callerName} in the registry; known: ${registry.clients.map((c) => c.name).join(', ')}`);
  if (kind === 'delegated' && (request.scopes === undefined || request.scopes.length === 0) && request.claims?.scp === undefined) {
    throw new TokenShapeError('a delegated token needs scopes (its scp claim), e.g. { kind: "delegated", scopes: ["Orders.Read"] }');
  }
  const authority = request.authority ?? 'workforce';
  // External ID and B2C tokens are shaped from a v2 token (azp, aud the client ID); B2C's then says ver 1.0.
  const version = authority === 'workforce' ? (request.version ?? tokenVersionFor(target)) : '2.0';
  const shaped: ApiRegistration = { ...target, requestedAccessTokenVersion: version === '1.0' ? 1 : 2 };
  const { nowSeconds } = context;
  const claims = appOnlyAccessTokenClaims({
    origin: context.origin,
    tenant: authority === 'externalId' ? registry.externalIdTenant : authority === 'b2c' ? registry.b2cTenant : registry.tenant,
    api: shaped,
    client: caller,
    roles: request.roles ?? (kind === 'app' ? registry.rolesOf(caller, target) : []),
    resource: target.appIdUri,
    nowSeconds,
    lifetimeSeconds: request.lifetimeSeconds ?? 3599,
  });
  const exp = claims.exp as number;
  const notBefore = request.notBefore ?? Math.min(nowSeconds - BACKDATE_SECONDS, exp - 3600);
  claims.iat = notBefore;
  claims.nbf = notBefore;
  if (kind === 'delegated') {
    const oid = request.userObjectId ?? TEST_USER.objectId;
    delete claims.idtyp;
    Object.assign(claims, { oid, sub: createHash('sha256').update(`${oid}:${caller.clientId}`).digest('base64url'), name: TEST_USER.name, scp: (request.scopes ?? []).join(' ') });
    if (version === '2.0') Object.assign(claims, { preferred_username: TEST_USER.upn, azpacr: '0' });
    else Object.assign(claims, { upn: TEST_USER.upn, unique_name: TEST_USER.upn, appidacr: '0', amr: ['pwd'] });
  } else if (request.scopes !== undefined && request.scopes.length > 0) {
    claims.scp = request.scopes.join(' ');
  }
  if (authority === 'externalId') claims.iss = externalIdIssuer(registry.externalIdTenant.id);
  if (authority === 'b2c') {
    Object.assign(claims, { iss: b2cIssuer(registry), ver: '1.0', tfp: request.userFlow ?? DEFAULT_USER_FLOW });
  }
  // B2C access tokens carry none of these Entra claims.
  const absent = authority === 'b2c' ? B2C_ABSENT : NONE;
  const chosen = Object.entries({ ...claims, ...request.claims }).filter(([name, value]) => value !== undefined && (!absent.has(name) || request.claims?.[name] !== undefined));
  return { claims: Object.fromEntries(chosen), version, authority };
}

const B2C_ABSENT: ReadonlySet<string> = new Set(['tid', 'idtyp', 'rh', 'aio', 'azpacr', 'preferred_username']);
const NONE: ReadonlySet<string> = new Set();

function refuse(message: string): never {
  throw new TokenShapeError(message);
}

const NAME = z.string().min(1).max(128);

/**
 * The body of the stand-in's `POST /_standin/tokens`: TokenOptions as JSON, where a
 * claim set to `null` is removed (JSON has no undefined). Unknown fields are refused.
 */
export const tokenRequestBody = z.strictObject({
  api: NAME,
  client: NAME.optional(),
  kind: z.enum(['app', 'delegated']).optional(),
  roles: z.array(NAME).max(64).optional(),
  scopes: z.array(NAME).max(64).optional(),
  claims: z.record(z.string().min(1).max(128), z.unknown()).optional(),
  authority: z.enum(['workforce', 'externalId', 'b2c']).optional(),
  userFlow: z.string().regex(/^B2C_1A?_[A-Za-z0-9_-]{1,100}$/i, { error: 'must be a user flow name such as B2C_1_signupsignin' }).optional(),
  lifetimeSeconds: z.number().int().min(-86_400).max(86_400).optional(),
  version: z.enum(['1.0', '2.0']).optional(),
  notBefore: z.number().int().optional(),
  userObjectId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'must be a GUID' }).optional(),
});

/** Parses a `/_standin/tokens` body into TokenOptions, or says what is wrong with it. */
export function readTokenRequest(body: unknown): { readonly ok: true; readonly options: TokenOptions } | { readonly ok: false; readonly problem: string } {
  const parsed = tokenRequestBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
  }
  const { claims, ...rest } = parsed.data;
  const options: TokenOptions = {
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    api: rest.api,
    ...(claims && { claims: Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, value === null ? undefined : value])) }),
  };
  return { ok: true, options };
}
