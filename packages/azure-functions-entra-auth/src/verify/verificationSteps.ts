import type { AuthSettings, TokenVersion } from '../settings/authSettings';
import { GUID_PATTERN } from '../settings/fields';
import { readAccessTokenClaims, type EntraAccessTokenClaims } from '../entra/accessTokenClaims';
import type { EntraKeyStore } from '../entra/entraKeyStore';
import type { OpenIdMetadata } from '../entra/openIdMetadata';
import type { SigningKey, SigningKeySet } from '../entra/signingKeys';
import { AuthError, safeLogValue, type TokenFacts } from '../errors/authErrors';
import { checkJoseHeader } from '../jwt/checkJoseHeader';
import { decodeCompactJwt, type DecodedJwt } from '../jwt/decodeCompactJwt';
import { checkAccessToken, checkAudience, checkClientApp, checkIssuer, checkKeyTenant, checkLifetime, checkLifetimeBound, checkTenant, checkTokenVersion, isAppOnly } from './tokenRules';
import type { VerifiedAccessToken } from './verifiedAccessToken';
import { DEFAULT_AUTHORITY_NAME, type AuthorityRef } from '../authorities/authorityConfig';

/**
 * The production verifier's checks, as an ordered list of named steps. The verifier
 * runs exactly this list, in this order, and so can a diagnostic tool: it may skip
 * the steps marked `needsNetwork`, and learns from each failure the same typed
 * error production answers with. Order is cheapest first, so junk is refused before
 * any key lookup or RSA work. This list is a contract: steps are only ever added.
 */

/** The names of the verification steps (each step's errors name the finer `check`). */
export type VerificationStepName =
  | 'jose_header'
  | 'claim_shapes'
  | 'token_version'
  | 'audience'
  | 'lifetime'
  | 'tenant'
  | 'access_token'
  | 'client_app'
  | 'issuer'
  | 'signing_key'
  | 'key_issuer'
  | 'signature';

/** The Entra key store, as far as the network steps use it. */
export type KeyLookup = Pick<EntraKeyStore, 'metadata' | 'key' | 'keySet' | 'loadedMetadata' | 'loadedKey' | 'loadedKeySet'>;

/** Verifies the JWS signature over the token as sent; rejects with an AuthError. */
export type SignatureCheck = (token: string, key: SigningKey['key']) => void | Promise<void>;

/** What the network steps need; an offline run leaves it out and skips those steps. */
export interface NetworkDependencies {
  readonly keyStore: KeyLookup;
  readonly verifySignature: SignatureCheck;
}

/** What each step establishes, for the steps after it and for the verified result. */
export interface Established {
  kid?: string;
  claims?: EntraAccessTokenClaims;
  version?: TokenVersion;
  tenantId?: string;
  clientAppId?: string;
  /** The issuer the version's discovery metadata names (possibly the `{tenantid}` template). */
  metadataIssuer?: string;
  key?: SigningKey;
  /** The issuer the key is published for: its own set's, or for a v1 token the v2 set's; undefined when neither names one. */
  keyIssuer?: string;
  /** B2C: the configured user flow the token names. */
  userFlow?: string;
}

export interface VerificationContext {
  readonly token: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly settings: AuthSettings;
  /** Seconds since the epoch, read once for the whole verification. */
  readonly nowSeconds: number;
  readonly network: NetworkDependencies | undefined;
  /** The configured authority this verification runs for (the AUTH_* form's is `default`). */
  readonly authority: AuthorityRef;
  /** IDs read from the unverified token (log-safe only); every error a step throws carries them. */
  readonly facts: TokenFacts;
  /** Filled in by the steps, each field by exactly one step. */
  readonly established: Established;
}

export interface VerificationStep {
  readonly name: VerificationStepName;
  /** Fetches Entra's metadata or keys, or needs a fetched key: skipped by an offline run. */
  readonly needsNetwork: boolean;
  /** What the step checks, in a sentence (for diagnostics and docs). */
  readonly description: string;
  /** Throws the typed AuthError for the failed check, or records what it established. */
  run(context: VerificationContext): void | Promise<void>;
}

/**
 * Decodes the token (form and size: TokenMalformedError before anything else) and
 * builds the context the steps run on.
 */
export function createVerificationContext(
  token: string,
  options: {
    readonly settings: AuthSettings;
    readonly nowSeconds: number;
    readonly network?: NetworkDependencies;
    readonly authority?: AuthorityRef;
    /** The token already decoded (by decodeCompactJwt, as here), so a router that read `iss` does not decode twice. */
    readonly decoded?: DecodedJwt;
  },
): VerificationContext {
  const { header, payload } = options.decoded ?? decodeCompactJwt(token);
  return {
    token,
    header,
    payload,
    settings: options.settings,
    nowSeconds: options.nowSeconds,
    network: options.network,
    authority: options.authority ?? DEFAULT_AUTHORITY,
    facts: readFacts(header, payload),
    established: {},
  };
}

export const VERIFICATION_STEPS: readonly VerificationStep[] = Object.freeze([
  step('jose_header', false, 'alg is RS256; no header that picks a key or changes processing; typ is JWT; kid is a plain identifier', (c) => {
    c.established.kid = checkJoseHeader(c.header, c.facts).kid;
  }),
  step('claim_shapes', false, 'every claim the verifier or the principal reads has its documented type', (c) => {
    c.established.claims = readAccessTokenClaims(c.payload, c.facts);
  }),
  step('token_version', false, 'ver is an accepted token version (AUTH_TOKEN_VERSIONS)', (c) => {
    c.established.version = checkTokenVersion(need(c, 'claims'), c.settings, c.facts);
  }),
  step('audience', false, 'aud is one string naming this API; no Graph nonce header', (c) => {
    checkAudience(c.payload, c.header, c.settings, c.facts);
  }),
  step('lifetime', false, 'nbf and iat not after exp; exp, nbf and iat against the clock, with AUTH_CLOCK_SKEW_SECONDS of skew; nbf (or iat) to exp at most AUTH_MAX_TOKEN_LIFETIME_SECONDS', (c) => {
    const claims = need(c, 'claims');
    checkLifetime(claims, c.nowSeconds, c.settings.clockSkewSeconds, c.facts);
    checkLifetimeBound(claims, c.nowSeconds, c.settings.maxTokenLifetimeSeconds, c.facts);
  }),
  step('tenant', false, 'tid is a canonical lower-case tenant GUID that this API serves', (c) => {
    c.established.tenantId = checkTenant(need(c, 'claims'), c.settings, c.facts);
  }),
  step('access_token', false, 'the token names its calling app (azp / appid) and is an access token, not an ID token', (c) => {
    c.established.clientAppId = checkAccessToken(need(c, 'claims'), need(c, 'version'), c.facts);
  }),
  step('client_app', false, 'the calling app is in AUTH_ALLOWED_CLIENT_APPS, when that is set', (c) => {
    checkClientApp(need(c, 'clientAppId'), need(c, 'version'), c.settings, c.facts);
  }),
  step('issuer', true, "iss is the issuer of the version's discovery metadata, for the token's tenant", (c) => {
    const { keyStore } = needNetwork(c);
    const version = need(c, 'version');
    const establish = (metadata: OpenIdMetadata): void => {
      c.established.metadataIssuer = metadata.issuer;
      checkIssuer(need(c, 'claims'), metadata.issuer, 'claims.iss', c.facts);
    };
    const loaded = keyStore.loadedMetadata(version);
    if (loaded) {
      establish(loaded);
      return;
    }
    return withTokenFacts(c, () => keyStore.metadata(version)).then(establish);
  }),
  step('signing_key', true, "kid names a key in the tenant's published key set", (c) => {
    const { keyStore } = needNetwork(c);
    const version = need(c, 'version');
    const kid = need(c, 'kid');
    const loaded = keyStore.loadedKey(version, kid);
    if (loaded) {
      c.established.key = loaded;
      return;
    }
    return withTokenFacts(c, () => keyStore.key(version, kid)).then((key) => {
      c.established.key = key;
    });
  }),
  step('key_issuer', true, "the key is published for this issuer (v2 key sets name one per key); a v1 token's key, for the token's tenant in the v2 key set", (c) => {
    const { keyStore } = needNetwork(c);
    const claims = need(c, 'claims');
    const { issuer } = need(c, 'key');
    if (issuer !== undefined) {
      c.established.keyIssuer = issuer;
      checkIssuer(claims, issuer, 'key.issuer', c.facts);
      return;
    }
    if (need(c, 'version') !== '1.0') return;
    // v1 key sets name no issuer; the v2 set publishes the same kid with one. Read as a
    // whole set, so a kid it lacks passes without forcing a refresh. If the v2 set cannot
    // be loaded at all, the token is refused as keys_unavailable (503): fail closed,
    // since a key bound to another tenant is exactly what this step exists to catch.
    const kid = need(c, 'kid');
    const establish = (v2Keys: SigningKeySet): void => {
      const v2Issuer = v2Keys.get(kid)?.issuer;
      if (v2Issuer !== undefined) c.established.keyIssuer = v2Issuer;
      checkKeyTenant(claims, v2Issuer, c.facts);
    };
    const loaded = keyStore.loadedKeySet('2.0');
    if (loaded) {
      establish(loaded);
      return;
    }
    return withTokenFacts(c, () => keyStore.keySet('2.0')).then(establish);
  }),
  step('signature', true, 'the RS256 signature verifies with that key', (c) => {
    const { verifySignature } = needNetwork(c);
    const key = need(c, 'key').key;
    let pending: void | Promise<void>;
    try {
      pending = verifySignature(c.token, key);
    } catch (error) {
      throw withFacts(c, error);
    }
    return pending?.catch((error: unknown) => {
      throw withFacts(c, error);
    });
  }),
]);

const NO_NAMES: readonly string[] = Object.freeze([]);
const DEFAULT_AUTHORITY: AuthorityRef = Object.freeze({ name: DEFAULT_AUTHORITY_NAME, kind: 'workforce' });

/** The verified token, once every step has run. */
export function verifiedToken(context: VerificationContext): VerifiedAccessToken {
  const claims = need(context, 'claims');
  const version = need(context, 'version');
  const tenantId = need(context, 'tenantId');
  const clientAppId = need(context, 'clientAppId');
  const kid = need(context, 'kid');
  return Object.freeze({
    claims: Object.freeze(claims),
    version,
    tenantId,
    clientAppId,
    kid,
    isAppOnly: isAppOnly(claims),
    // Frozen in place, not copied: a cached token stays small, and no handler can change what a later request reads.
    roles: claims.roles ? Object.freeze(claims.roles) : NO_NAMES,
    scopes: claims.scp === undefined ? NO_NAMES : Object.freeze(claims.scp.split(' ').filter(Boolean)),
    authority: context.authority,
    userFlow: context.established.userFlow,
  });
}

export function step(name: VerificationStepName, needsNetwork: boolean, description: string, run: VerificationStep['run']): VerificationStep {
  return Object.freeze({ name, needsNetwork, description, run });
}

/** A value an earlier step established; its absence means the steps ran out of order. */
export function need<K extends keyof Established>(context: VerificationContext, field: K): NonNullable<Established[K]> {
  const value = context.established[field];
  if (value === undefined) throw new TypeError(`verification step out of order: ${field} is not established yet`);
  return value;
}

export function needNetwork(context: VerificationContext): NetworkDependencies {
  if (!context.network) throw new TypeError('this verification step needs the network (keyStore, verifySignature); skip steps marked needsNetwork');
  return context.network;
}

/**
 * The key store and the signature check are shared code that never sees the
 * token's IDs, so the step that called them re-issues their errors complete.
 */
export function withTokenFacts<T>(context: VerificationContext, load: () => Promise<T>): Promise<T> {
  return load().catch((error: unknown) => {
    throw withFacts(context, error);
  });
}

export function withFacts(context: VerificationContext, error: unknown): unknown {
  return error instanceof AuthError && Object.keys(error.facts).length === 0 ? error.withFacts(context.facts) : error;
}

/**
 * The token's IDs for telemetry. Tenant and app GUIDs are reported in their one
 * canonical (lower-case) spelling, so a refused upper-case `tid` still counts
 * against its tenant's dimension; the refusal itself says the spelling was wrong.
 */
function readFacts(header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): TokenFacts {
  const facts: { tenantId?: string; clientAppId?: string; version?: string; kid?: string } = {};
  const tenantId = canonicalId(safeLogValue(payload.tid));
  if (tenantId !== undefined) facts.tenantId = tenantId;
  const clientAppId = canonicalId(safeLogValue(payload.azp ?? payload.appid));
  if (clientAppId !== undefined) facts.clientAppId = clientAppId;
  const version = safeLogValue(payload.ver);
  if (version !== undefined) facts.version = version;
  const kid = safeLogValue(header.kid);
  if (kid !== undefined) facts.kid = kid;
  return Object.freeze(facts);
}

function canonicalId(value: string | undefined): string | undefined {
  return value !== undefined && GUID_PATTERN.test(value) ? value.toLowerCase() : value;
}
