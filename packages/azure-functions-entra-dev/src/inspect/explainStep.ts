import { ALLOWED_ALGORITHMS } from 'azure-functions-entra-auth';
import { MAX_TOKEN_LENGTH } from 'azure-functions-entra-auth';
import { shown } from './claimsView';
import { duration, type ExplainContext } from './explainFailure';
import type { TracedStepName } from './productionTrace';

/** What the network steps learned, for display: the metadata issuer, the key set's kids, the key's issuer. */
export interface KeyFacts {
  metadataIssuer?: string;
  jwksUrl?: string;
  publishedKids?: readonly string[];
  keyIssuer?: string | null;
}

export interface ExpectedFound {
  readonly expected: string;
  readonly found?: string;
}

/**
 * Expected vs found for one step, worded from the settings and the decoded (unverified)
 * token. Display only: whether the step passed is what the production step said.
 */
export function expectedFound(kind: TracedStepName, context: ExplainContext, token: string, facts: KeyFacts): ExpectedFound {
  const { settings, header = {}, payload = {}, nowSeconds } = context;
  const skew = settings.clockSkewSeconds;
  switch (kind) {
    case 'bearer_header':
      return { expected: 'Authorization: Bearer <token>, the token in RFC 6750 b64token characters (letters, digits, - . _ ~ + /, trailing =)' };
    case 'form':
      return {
        expected: `a compact JWS: 3 dot-separated base64url segments, at most ${MAX_TOKEN_LENGTH} characters`,
        found: `${token.length} characters, ${token.split('.').length} segments`,
      };
    case 'jose_header': {
      const others = Object.keys(header).filter((name) => !['alg', 'kid', 'typ', 'x5t'].includes(name));
      return {
        expected: `alg ${ALLOWED_ALGORITHMS.join(', ')}, a kid, typ JWT (or absent), no header that picks a key or changes processing`,
        found: `alg ${shown(header.alg)}, kid ${shown(header.kid)}, typ ${shown(header.typ)}${others.length ? `, also ${others.map((name) => shown(name)).join(', ')}` : ''}`,
      };
    }
    case 'claim_shapes':
      return { expected: 'iss, tid, ver non-empty strings; exp (and nbf, iat) NumericDates; roles an array of strings', found: presentClaims(payload) };
    case 'token_version':
      return { expected: `ver one of ${settingName(settings, 'versions')}: ${settings.tokenVersions.join(', ')}`, found: `ver ${shown(payload.ver)}` };
    case 'audience': {
      const uri = settings.appIdUri === undefined ? '' : ` or ${settings.appIdUri}`;
      return { expected: `the client ID ${settings.clientId}${uri} (${settingName(settings, 'audience')})`, found: `aud ${shown(payload.aud)}${'nonce' in header ? ', and a nonce header' : ''}` };
    }
    case 'lifetime':
      return {
        expected: `nbf and iat not after exp; exp after now - ${skew} s, nbf and iat before now + ${skew} s (now ${isoTime(nowSeconds)}); nbf (or iat) to exp at most ${duration(settings.maxTokenLifetimeSeconds)} (AUTH_MAX_TOKEN_LIFETIME_SECONDS)`,
        found: ['exp', 'nbf', 'iat'].map((claim) => `${claim} ${relativeTime(payload[claim], nowSeconds)}`).join(', '),
      };
    case 'tenant': {
      const { tenant } = settings;
      if (settings.authorities[0]?.kind === 'b2c') return { expected: 'no tid, or the B2C tenant\'s (B2C names its tenant in the issuer)', found: `tid ${shown(payload.tid)}` };
      const expected =
        tenant.kind === 'single'
          ? `tid ${tenant.tenantId} (${settingName(settings, 'tenant')})`
          : tenant.allowedTenants === 'any'
            ? 'any tenant GUID (AUTH_ALLOWED_TENANTS=*)'
            : `tid one of AUTH_ALLOWED_TENANTS: ${tenant.allowedTenants.join(', ')}`;
      return { expected, found: `tid ${shown(payload.tid)}` };
    }
    case 'access_token':
      return {
        expected: 'an access token: the caller app ID in azp (v2) or appid (v1), and permissions in scp or roles',
        found: [`azp ${shown(payload.azp)}`, `appid ${shown(payload.appid)}`, `scp ${shown(payload.scp)}`, `roles ${shown(payload.roles)}`, `idtyp ${shown(payload.idtyp)}`].join(', '),
      };
    case 'client_app':
      return {
        expected: settings.allowedClientApps ? `a caller in AUTH_ALLOWED_CLIENT_APPS: ${settings.allowedClientApps.join(', ')}` : 'any calling app (AUTH_ALLOWED_CLIENT_APPS is not set)',
        found: `${payload.ver === '1.0' ? 'appid' : 'azp'} ${shown(payload.ver === '1.0' ? payload.appid : payload.azp)}`,
      };
    case 'issuer':
      return {
        expected: facts.metadataIssuer
          ? `the issuer of the v${shown(payload.ver)} discovery document: ${facts.metadataIssuer.replace('{tenantid}', typeof payload.tid === 'string' ? payload.tid : '{tenantid}')}`
          : `the issuer of the v${shown(payload.ver)} discovery document at ${settings.instance} (not fetched)`,
        found: `iss ${shown(payload.iss)}`,
      };
    case 'signing_key':
      return {
        expected: facts.publishedKids
          ? `a kid the tenant publishes at ${facts.jwksUrl ?? settings.instance}: ${facts.publishedKids.join(', ')}`
          : `a kid in the tenant's v${shown(payload.ver)} key set at ${settings.instance}`,
        found: `kid ${shown(header.kid)}`,
      };
    case 'key_issuer':
      // A v1 key set names no issuer, so a v1 token's key is held to the tenant the v2 key set binds it to.
      if (payload.ver === '1.0') {
        return {
          expected:
            facts.keyIssuer === null
              ? 'the tenant the v2 key set binds this key to, if it names one (it names none: nothing to compare)'
              : `a key the v2 key set publishes for the token's tenant, or for any ({tenantid})${facts.keyIssuer ? `: it names ${facts.keyIssuer}` : ''}`,
          found: `tid ${shown(payload.tid)}`,
        };
      }
      return {
        expected:
          facts.keyIssuer === null
            ? "the key's issuer, if the key set names one (this key names none: nothing to compare)"
            : `the issuer the key set names for this key${facts.keyIssuer ? `: ${facts.keyIssuer}` : ''}`,
        found: `iss ${shown(payload.iss)}`,
      };
    case 'signature':
      return { expected: `an RS256 signature by the published key ${shown(header.kid)}` };
  }
}

/**
 * Where a checked value was set: the AUTH_* setting of the single-tenant form, or the
 * authority's entry in AUTH_AUTHORITIES (the inspector runs each authority's own settings).
 */
function settingName(settings: ExplainContext['settings'], what: 'tenant' | 'audience' | 'versions'): string {
  const [authority] = settings.authorities;
  if (authority === undefined || authority.name === 'default') return { tenant: 'AUTH_TENANT_ID', audience: 'AUTH_CLIENT_ID / AUTH_APP_ID_URI', versions: 'AUTH_TOKEN_VERSIONS' }[what];
  if (what === 'versions') return `the versions ${authority.kind === 'workforce' ? `AUTH_AUTHORITIES ${authority.name}.tokenVersions names` : `a ${authority.kind} authority issues`}`;
  return `AUTH_AUTHORITIES ${authority.name}.${what === 'tenant' ? 'tenantId' : 'clientId / appIdUri'}`;
}

function presentClaims(payload: Readonly<Record<string, unknown>>): string {
  return ['iss', 'tid', 'ver', 'exp', 'nbf', 'iat', 'roles'].map((claim) => `${claim} ${payload[claim] === undefined ? 'absent' : Array.isArray(payload[claim]) ? 'array' : typeof payload[claim]}`).join(', ');
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function relativeTime(value: unknown, nowSeconds: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 1e11) return shown(value);
  const delta = value - nowSeconds;
  return `${isoTime(value)} (${delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`})`;
}
