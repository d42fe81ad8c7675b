/**
 * Builds `WWW-Authenticate: Bearer ...` values as RFC 6750 §3 describes. Attribute
 * values are quoted strings; `error_description` is limited to the characters the
 * RFC allows, so nothing a caller sent can break the header.
 */
export interface ChallengeParams {
  readonly realm: string;
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  readonly errorDescription?: string;
  /** Space-separated permission values that would satisfy the request. */
  readonly scope?: string;
}

export function bearerChallenge(params: ChallengeParams): string {
  const parts = [`realm=${quote(params.realm)}`];
  if (params.error) parts.push(`error=${quote(params.error)}`);
  if (params.errorDescription) parts.push(`error_description=${quote(params.errorDescription)}`);
  if (params.scope) parts.push(`scope=${quote(params.scope)}`);
  return `Bearer ${parts.join(', ')}`;
}

function quote(value: string): string {
  // RFC 6750 allows %x20-21 / %x23-5B / %x5D-7E inside these values: no quote, no backslash.
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}
