/**
 * Tokens our verifier refuses on purpose although Microsoft.IdentityModel (as a
 * Microsoft.Identity.Web web API configures it) accepts them. The conformance check
 * explains a "we refuse, it accepts" outcome only by an entry here: our refusal named
 * one of `ourChecks`, and the token carries one of `tags` (`family:name` of the
 * generator's variants, `*` as a wildcard, `a & b` for a token carrying both) or the
 * configuration is one of `configurations`.
 * The other direction (we accept, it refuses) is never explained: it fails the run.
 */
export interface DeliberateDifference {
  readonly rule: string;
  /** Our refusal's `check` (the auth package's errors/checkNames.ts). */
  readonly ourChecks: readonly string[];
  /** Generator variants (`family:name`, `*` wildcard, `a & b`: both) this rule is about. */
  readonly tags?: readonly string[];
  /** Configurations this rule is about (conformance/corpus.ts CONFIGURATIONS). */
  readonly configurations?: readonly string[];
  readonly reason: string;
  /** The standard, guidance or attack behind it. */
  readonly basis: string;
}

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    rule: 'RS256 only',
    ourChecks: ['header.alg'],
    tags: ['alg:RS384', 'alg:RS512', 'alg:PS*'],
    reason: 'Entra signs access tokens with RS256 alone; Microsoft.IdentityModel accepts any algorithm the RSA key can do (RS384/512, PS256/384/512).',
    basis: 'RFC 8725 §3.1 (allow-list the algorithms); Entra metadata id_token_signing_alg_values_supported = [RS256]; algorithm-substitution attacks',
  },
  {
    rule: 'kid names exactly one published key',
    ourChecks: ['header.kid'],
    tags: ['kid:missing', 'kid:missing-x5t-only', 'kid:unknown', 'kid:empty', 'kid:path-chars', 'kid:long'],
    reason:
      'Without a kid, or with one it does not know, Microsoft.IdentityModel tries every signing key (TryAllIssuerSigningKeys); we look up the one key the token names, and only plain identifiers.',
    basis: 'RFC 7515 §4.1.4; Entra always sends kid; trying every key turns each junk token into one RSA verification per published key (CPU amplification)',
  },
  {
    rule: 'RSA keys of at least 2048 bits',
    ourChecks: ['header.kid'],
    tags: ['kid:rsa1024-key'],
    reason: 'Keys shorter than 2048 bits in the key set are skipped; Microsoft.IdentityModel verifies with 1024-bit keys.',
    basis: 'RFC 7518 §3.3 (a key of 2048 bits or larger MUST be used); NIST SP 800-131A',
  },
  {
    rule: "each version's own key set",
    ourChecks: ['header.kid'],
    tags: ['key-issuer:v2-only-key'],
    reason:
      "A v1 token is verified with the v1 discovery document's key set; Microsoft.Identity.Web reads only the v2 key set for both versions, so a key published only there verifies v1 tokens too.",
    basis: "OpenID Connect Discovery 1.0 §3 (jwks_uri of the issuer's own metadata)",
  },
  {
    rule: 'crit refused',
    ourChecks: ['header.crit'],
    tags: ['crit:*'],
    reason: 'We implement no JWS extension, so any crit is refused; Microsoft.IdentityModel ignores crit altogether (an unknown extension, an empty list, a non-list, b64:false).',
    basis: 'RFC 7515 §4.1.11 (recipients MUST reject an unknown critical extension; crit MUST NOT be empty); RFC 7797 (b64:false changes what is signed)',
  },
  {
    rule: 'no header that picks a key or changes processing',
    ourChecks: ['header.jku', 'header.x5u', 'header.x5c', 'header.jwk', 'header.zip', 'header.enc', 'header.cty', 'header.b64'],
    tags: ['header:*', 'crit:b64-false'],
    reason: 'Entra never sends jku, x5u, x5c, jwk, zip, enc or cty; Microsoft.IdentityModel ignores them, we refuse them so no later code can be tempted to honour them.',
    basis: 'RFC 8725 §3.10 (do not trust key URLs in the token); embedded-key attacks (CVE-2018-0114); RFC 7516 (enc/zip mean JWE), RFC 7515 §4.1.10 (cty: nested JWT)',
  },
  {
    rule: 'typ is JWT or at+jwt',
    ourChecks: ['header.typ'],
    tags: ['typ:*'],
    reason: 'Microsoft.IdentityModel accepts any typ (ValidTypes is empty); we accept JWT, at+jwt and application/at+jwt (any case) or none.',
    basis: 'RFC 8725 §3.11 (explicit typing against cross-JWT confusion); RFC 9068 §2.1',
  },
  {
    rule: 'no Graph nonce header',
    ourChecks: ['header.nonce'],
    tags: ['header:graph-nonce'],
    reason: 'Entra adds a nonce header only to tokens for Microsoft Graph, which no other API can verify; such a token is never for this API.',
    basis: 'Entra access-token guidance (tokens for Graph are opaque to other APIs)',
  },
  {
    rule: 'strict JSON',
    ourChecks: ['header.json', 'payload.json'],
    tags: ['encoding:duplicate-*', 'encoding:trailing-garbage'],
    reason: 'Duplicate member names and data after the JSON object are refused; Microsoft.IdentityModel takes one of the duplicates and ignores trailing bytes.',
    basis: 'RFC 7515 §4 and RFC 7519 §4 (duplicate names: reject, or take the lexically last); RFC 8259; parser-differential attacks (first-wins vs last-wins)',
  },
  {
    rule: 'canonical base64url',
    ourChecks: ['header.encoding', 'payload.encoding', 'signature.encoding'],
    tags: [
      'signature:padded',
      'signature:standard-base64',
      'signature:non-canonical-last-char',
      'encoding:header-padded',
      'encoding:payload-standard-base64',
      'encoding:payload-non-canonical-bits',
    ],
    reason: 'Segments are unpadded base64url with zero unused bits; Microsoft.IdentityModel tolerates padding on the signature.',
    basis: 'RFC 7515 §2 and Appendix C (base64url without padding); token malleability (many strings for one token)',
  },
  {
    rule: 'size limit 16 KiB',
    ourChecks: ['size'],
    tags: ['encoding:oversize-*'],
    reason: 'Entra access tokens are 1–4 KB; we refuse anything over 16 KiB before decoding. Microsoft.IdentityModel allows 250 KB.',
    basis: 'Resource exhaustion before any check (OWASP API4:2023, unrestricted resource consumption)',
  },
  {
    rule: 'expired at exp - skew',
    ourChecks: ['claims.exp'],
    tags: ['exp:now-300'],
    reason: 'A token is expired from the instant exp (less the skew) on; Microsoft.IdentityModel still accepts it at exactly that instant.',
    basis: 'RFC 7519 §4.1.4 (MUST NOT be accepted on or after exp)',
  },
  {
    rule: 'NumericDate is a JSON number',
    ourChecks: ['claims.exp', 'claims.nbf', 'claims.iat'],
    tags: ['numeric:*-string'],
    reason: 'exp, nbf and iat must be numbers; Microsoft.IdentityModel also reads numeric strings.',
    basis: 'RFC 7519 §2 (NumericDate: a JSON numeric value)',
  },
  {
    rule: 'iat not in the future',
    ourChecks: ['claims.iat', 'claims.lifetime'],
    tags: ['iat:now+301', 'iat:now+3600'],
    reason:
      'A token issued later than now + skew is refused (as claims.lifetime when that also puts iat after exp); Microsoft.IdentityModel does not look at iat.',
    basis: 'RFC 7519 §4.1.6 (iat is for the recipient to judge age); a future iat means a broken clock or a forged token',
  },
  {
    rule: 'iat not after exp',
    ourChecks: ['claims.lifetime'],
    tags: ['exp:* & iat:*'],
    reason: 'A token issued after it expires is incoherent and refused as claims.lifetime, whatever the skew; Microsoft.IdentityModel does not look at iat.',
    basis: 'RFC 7519 §4.1.4/§4.1.6; Entra never issues one: such a token is forged or mangled',
  },
  {
    rule: 'ver is 1.0 or 2.0 and matches the iss form',
    ourChecks: ['claims.ver', 'claims.iss'],
    tags: ['ver:*', 'iss:v1-form', 'iss:v2-form'],
    reason:
      "ver picks the discovery document, key set and caller claim, and iss must be that version's issuer; Microsoft.IdentityModel picks the metadata from the issuer's suffix and ignores ver.",
    basis: 'Entra access-token claims reference (ver and iss forms go together); version-confusion attacks',
  },
  {
    rule: "the token's caller claim",
    ourChecks: ['claims.azp', 'claims.appid'],
    tags: ['caller:missing', 'caller:not-a-guid', 'caller:number', 'caller:wrong-claim-for-version', 'ver:1.0', 'ver:2.0'],
    reason: 'An access token names its client app as a GUID in azp (v2) or appid (v1); without it the JWT is not an access token (an ID token, say). Microsoft.IdentityModel does not look.',
    basis: 'Entra access-token claims reference; RFC 9068 §2.2 (client_id required); token-type confusion',
  },
  {
    rule: 'allowed client apps',
    ourChecks: ['claims.azp', 'claims.appid'],
    tags: ['caller:other-app'],
    configurations: ['single-acl'],
    reason: 'AUTH_ALLOWED_CLIENT_APPS names the apps that may call; Microsoft.Identity.Web has no such list at authentication.',
    basis: 'Least privilege (the ACL mode that allows tokens without permissions needs it)',
  },
  {
    rule: 'exact audience',
    ourChecks: ['claims.aud'],
    tags: ['aud:array-*', 'aud:double-slash'],
    reason: 'aud must be one string equal to a configured audience; Microsoft.IdentityModel accepts an array holding one and trims a trailing slash before comparing.',
    basis: 'Entra issues aud as one string; RFC 7519 §4.1.3; RFC 8725 §3.9 (audience confusion, forwarded multi-audience tokens)',
  },
  {
    rule: 'scp and roles shapes',
    ourChecks: ['claims.scp', 'claims.roles'],
    tags: ['permissions:scp-*', 'permissions:roles-string', 'permissions:roles-number-item'],
    reason: 'scp is a non-empty space-separated string and roles an array of strings; Microsoft.Identity.Web only asks that some scp or roles claim exists.',
    basis: 'Entra access-token claims reference; an empty or mis-shaped scp passes "has a scope claim" while granting nothing',
  },
  {
    rule: 'user tokens need scp even in ACL mode',
    ourChecks: ['claims.scp'],
    tags: ['permissions:none-user', 'permissions:none-no-idtyp'],
    reason: 'AUTH_ALLOW_TOKENS_WITHOUT_PERMISSIONS admits app-only tokens without roles; a user (delegated) token without scp is still refused. AllowWebApiToBeAuthorizedByACL admits both.',
    basis: 'Entra: delegated access tokens always carry scp; a user token without it is an ID token or mangled',
  },
  {
    rule: 'tid is the canonical tenant GUID',
    ourChecks: ['claims.tid'],
    tags: ['tid:uppercase*', 'tid:braces-follow', 'tid:domain-follow', 'tid:number', 'tid:trailing-space'],
    reason: 'tid must be a lower-case GUID as Entra issues it; Microsoft.IdentityModel compares iss and tid as strings (a numeric tid of 7 even passes the key-issuer check because the issuer contains a 7).',
    basis: 'One spelling per tenant: partitions, telemetry and tenant routes compare it exactly',
  },
  {
    rule: 'tenant allow-list',
    ourChecks: ['claims.tid'],
    tags: ['tid:third-not-allowed-follow'],
    configurations: ['multi-list'],
    reason: 'AUTH_ALLOWED_TENANTS limits a multi-tenant API to the listed tenants; AadIssuerValidator accepts any tenant.',
    basis: 'Microsoft guidance for multi-tenant APIs (validate the tenant yourself)',
  },
  {
    rule: 'accepted token versions',
    ourChecks: ['claims.ver'],
    configurations: ['single-v2'],
    reason: 'AUTH_TOKEN_VERSIONS=2.0 refuses v1 tokens; Microsoft.Identity.Web accepts both versions.',
    basis: 'The app registration decides which version Entra issues (accessTokenAcceptedVersion); accepting only that one narrows the attack surface',
  },
];
