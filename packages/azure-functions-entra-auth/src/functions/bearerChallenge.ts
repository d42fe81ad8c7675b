/**
 * Builds `WWW-Authenticate: Bearer ...` values as RFC 6750 §3 describes. Attribute
 * values are quoted strings; `error_description` is limited to the characters the
 * RFC allows, so nothing a caller sent can break the header.
 */
export interface ChallengeParams {
  readonly realm: string;
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'insufficient_claims';
  /** insufficient_claims: the authorize endpoint the client signs in at again. */
  readonly authorizationUri?: string;
  /** insufficient_claims: the claims request as JSON text; sent base64-encoded (see claimsParameter). */
  readonly claims?: string;
  readonly errorDescription?: string;
  /** Space-separated permission values that would satisfy the request. */
  readonly scope?: string;
}

export function bearerChallenge(params: ChallengeParams): string {
  const parts = [`realm=${quote(params.realm)}`];
  if (params.authorizationUri) parts.push(`authorization_uri=${quote(params.authorizationUri)}`);
  if (params.error) parts.push(`error=${quote(params.error)}`);
  if (params.errorDescription) parts.push(`error_description=${quote(params.errorDescription)}`);
  if (params.scope) parts.push(`scope=${quote(params.scope)}`);
  if (params.claims !== undefined) parts.push(`claims=${quote(claimsParameter(params.claims))}`);
  return `Bearer ${parts.join(', ')}`;
}

function quote(value: string): string {
  // RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E inside these values: no quote, no backslash.
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/**
 * The `claims` parameter: the JSON in standard base64 with padding (RFC 4648 §4), as
 * Microsoft's claims-challenge documentation shows it and as MSAL.NET's
 * WwwAuthenticateParameters and Microsoft.Identity.Web decode it; MSAL.js and msal-node
 * leave the decoding to the app, which then reads it with atob or Buffer's 'base64'
 * (both also accept this form). Base64url would differ only where the text holds '+' or '/'
 * and in dropping the padding; standard base64 is what every client of the doc expects.
 */
export function claimsParameter(claimsJson: string): string {
  return Buffer.from(claimsJson, 'utf8').toString('base64');
}
