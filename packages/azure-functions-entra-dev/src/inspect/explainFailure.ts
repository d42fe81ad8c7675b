import type { AuthSettings } from 'azure-functions-entra-auth';
import type { AuthError } from 'azure-functions-entra-auth';
import { shown } from './claimsView';

/** What the explanations may read: the settings, the decoded (unverified) token, and the clock. */
export interface ExplainContext {
  readonly settings: AuthSettings;
  readonly header: Readonly<Record<string, unknown>> | undefined;
  readonly payload: Readonly<Record<string, unknown>> | undefined;
  readonly nowSeconds: number;
}

/**
 * The one-line fix for a failed check. The verdict is the production verifier's
 * (the AuthError it threw); this only turns its code and check, the settings and the
 * claims into advice for the person holding the token.
 */
export function fixFor(error: AuthError, context: ExplainContext): string {
  const { settings, header = {}, payload = {} } = context;
  const scope = `scope=${settings.appIdUri ?? settings.clientId}/.default`;
  switch (error.code) {
    case 'token_malformed':
      return error.check === 'claims.lifetime' ? lifetimeFix(payload, settings) : malformedFix(error.check);
    case 'alg_not_allowed':
      return `signed with ${shown(header.alg)}: Entra signs access tokens with RS256 only, so this token is not from Entra (or was altered)`;
    case 'header_not_allowed':
      return `the "${error.check.replace(/^header\./, '')}" header would let the token choose how it is checked; Entra never sends it: this token was forged or not issued by Entra`;
    case 'claim_invalid':
      return `the ${error.check.replace(/^claims\./, '')} claim is missing or malformed: this is not an Entra access token as issued`;
    case 'token_version_not_allowed':
      return `v${shown(payload.ver)} token but AUTH_TOKEN_VERSIONS=${settings.tokenVersions.join(',')}: add ${shown(payload.ver)} to AUTH_TOKEN_VERSIONS, or set the API registration's requestedAccessTokenVersion to ${settings.tokenVersions.includes('2.0') ? '2' : '1'}`;
    case 'audience_mismatch':
      return audienceFix(error, header, payload, scope);
    case 'token_expired':
      return `clock skew: expired ${ago(payload.exp, context.nowSeconds)} (beyond the ${settings.clockSkewSeconds} s allowed): get a new token; clients must refresh before exp`;
    case 'token_not_yet_valid': {
      const claim = error.check === 'claims.iat' ? 'iat' : 'nbf';
      return `clock skew: ${claim} is ${ahead(payload[claim], context.nowSeconds)} in the future (beyond the ${settings.clockSkewSeconds} s allowed): the issuer's or this machine's clock is wrong`;
    }
    case 'tenant_not_allowed':
      return settings.tenant.kind === 'single'
        ? `token from tenant ${shown(payload.tid)}, but AUTH_TENANT_ID=${settings.tenant.tenantId}: get the token from that tenant's authority (${settings.instance}/${settings.tenant.tenantId})`
        : `tenant ${shown(payload.tid)} is not in AUTH_ALLOWED_TENANTS: add it if this API should serve it`;
    case 'not_access_token':
      return error.check === 'claims.scp'
        ? `the token carries neither scp nor roles: assign the caller an app role (or consent to a scope) and request ${scope}`
        : `no caller app ID (${error.check.replace(/^claims\./, '')}): this looks like an ID token; call with an access token for this API (${scope})`;
    case 'client_app_not_allowed':
      return `calling app ${shown(payload.azp ?? payload.appid)} is not in AUTH_ALLOWED_CLIENT_APPS: add it there, or call from an allowed app`;
    case 'issuer_mismatch':
      return error.check === 'claims.iss'
        ? `iss ${shown(payload.iss)} is not the issuer AUTH_INSTANCE=${settings.instance} publishes for this tenant and version: the token comes from another authority or cloud`
        : 'the key that signed this token is published for another issuer (for a v1 token: the v2 key set binds it to another tenant): the token was not issued for this tenant';
    case 'key_not_found':
      return `kid ${shown(header.kid)} is not in the tenant's key set at ${settings.instance}: a token from another tenant, cloud or stand-in, or a forged one (after a key rollover, retry in 5 min)`;
    case 'keys_unavailable':
      return `${error.message}: check AUTH_INSTANCE and the network (the API answers 503 here, not 401); --offline runs the other checks`;
    case 'signature_invalid':
      return `the signature does not verify with the published key ${shown(header.kid)}: the token was altered or forged`;
  }
}

function malformedFix(check: string): string {
  if (check === 'size') return 'far too long for an access token (Entra issues 1-4 KB): paste the access token only';
  if (check === 'format.jwe') return 'an encrypted token (5 segments, JWE): this API accepts signed tokens only; turn token encryption off on the API registration';
  if (check === 'format') return 'not a JWT: an access token is header.payload.signature (3 segments separated by dots)';
  if (check.endsWith('.encoding')) return `the ${check.replace(/\.encoding$/, '')} is not strict base64url: the token was altered or truncated in transit; copy it again, whole`;
  if (check.endsWith('.json')) return `the ${check.replace(/\.json$/, '')} is not a JSON object of well-formed Unicode whose member names are distinct, even ignoring case: not a token Entra issued`;
  if (check === 'header.typ') return 'typ must be JWT: this is not an Entra access token';
  if (check === 'header.kid') return 'kid is missing or not a plain key ID: Entra always names its signing key';
  if (check === 'signature') return 'the signature bytes are not an RS256 signature: the token was altered';
  return 'the token is not a well-formed signed JWT';
}

/** `claims.lifetime`: the timestamps contradict each other, or span more than any Entra token lives. */
function lifetimeFix(payload: Readonly<Record<string, unknown>>, settings: AuthSettings): string {
  const { exp, nbf, iat } = payload;
  if (typeof exp === 'number' && ((typeof nbf === 'number' && nbf > exp) || (typeof iat === 'number' && iat > exp))) {
    return `${typeof nbf === 'number' && nbf > exp ? 'nbf' : 'iat'} is after exp, so the token is never valid, whatever the clock: Entra never issues one; this token was forged or altered`;
  }
  return `the token lives longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS=${settings.maxTokenLifetimeSeconds} (${duration(settings.maxTokenLifetimeSeconds)}), measured from nbf (or iat) to exp: Entra issues nothing longer than 28 h; this token was not issued by Entra`;
}

/** Whether the audience is Microsoft Graph is the audience rule's call (its message says so); this only words the fix. */
function audienceFix(error: AuthError, header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>, scope: string): string {
  if ('nonce' in header) return `Microsoft Graph token (nonce header): it can never validate here; request ${scope}`;
  if (payload.aud === undefined) return `the token names no audience (aud): request ${scope}`;
  if (typeof payload.aud !== 'string') return `aud must be one string naming this API: request ${scope}`;
  if (error.message.includes('Microsoft Graph')) return `Microsoft Graph token: it can never validate here; request ${scope}`;
  return `the token was issued for another API: request ${scope}`;
}

function ago(exp: unknown, nowSeconds: number): string {
  return typeof exp === 'number' ? `${duration(nowSeconds - exp)} ago` : 'some time ago';
}

function ahead(time: unknown, nowSeconds: number): string {
  return typeof time === 'number' ? duration(time - nowSeconds) : 'some time';
}

/** 45 s, 14 min, 3 h 5 min, 2 days. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.round(s / 86400)} days`;
}
