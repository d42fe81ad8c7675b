import { ClaimInvalidError, type AuthErrorOptions, type TokenFacts } from '../errors/authErrors';

/**
 * The claims of an Entra access token that this API reads, typed after their shapes
 * were checked. v1 tokens carry `appid`/`appidacr`, v2 tokens `azp`/`azpacr`.
 * See Microsoft's "Access token claims reference".
 */
export interface EntraAccessTokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly exp: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly tid: string;
  readonly ver: string;
  readonly oid?: string;
  readonly sub?: string;
  readonly azp?: string;
  readonly azpacr?: string;
  readonly appid?: string;
  readonly appidacr?: string;
  readonly idtyp?: string;
  /** Delegated scopes, space-separated. */
  readonly scp?: string;
  /** App roles (or directory roles for users). */
  readonly roles?: readonly string[];
  readonly uti?: string;
  /** B2C: the user flow (policy) that issued the token; older tenants put it in `acr`. */
  readonly tfp?: string;
  readonly acr?: string;
  readonly [claim: string]: unknown;
}

const REQUIRED_STRINGS = ['iss', 'tid', 'ver'] as const;
const OPTIONAL_STRINGS = ['oid', 'sub', 'azp', 'azpacr', 'appid', 'appidacr', 'idtyp', 'scp', 'uti'] as const;
const OPTIONAL_TIMES = ['nbf', 'iat'] as const;

/**
 * Checks the type of every claim the verifier or the principal relies on, so later
 * code never sees a number where a string belongs. A wrong shape fails closed.
 * `aud` is checked by the audience rule (it must be one string, not an array).
 */
export function readAccessTokenClaims(payload: Readonly<Record<string, unknown>>, facts?: TokenFacts, shape: { readonly tidOptional?: boolean } = {}): EntraAccessTokenClaims {
  const options: AuthErrorOptions = { facts };
  for (const claim of REQUIRED_STRINGS) {
    const value = payload[claim];
    // B2C tokens carry no tid; one that does must still carry a string.
    if (claim === 'tid' && shape.tidOptional && value === undefined) continue;
    if (value === undefined) throw new ClaimInvalidError(claim, 'missing', `${claim} is required`, options);
    if (typeof value !== 'string' || value === '') throw new ClaimInvalidError(claim, 'invalid', `${claim} must be a non-empty string`, options);
  }
  for (const claim of OPTIONAL_STRINGS) {
    const value = payload[claim];
    if (value !== undefined && typeof value !== 'string') throw new ClaimInvalidError(claim, 'invalid', `${claim} must be a string`, options);
  }
  if (payload.exp === undefined) throw new ClaimInvalidError('exp', 'missing', 'exp is required', options);
  checkNumericDate(payload, 'exp', options);
  for (const claim of OPTIONAL_TIMES) if (payload[claim] !== undefined) checkNumericDate(payload, claim, options);
  const roles = payload.roles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw new ClaimInvalidError('roles', 'invalid', 'roles must be an array of strings', options);
  }
  return payload as EntraAccessTokenClaims;
}

function checkNumericDate(payload: Readonly<Record<string, unknown>>, claim: 'exp' | 'nbf' | 'iat', options: AuthErrorOptions): void {
  const value = payload[claim];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ClaimInvalidError(claim, 'invalid', `${claim} must be a NumericDate (seconds since the epoch)`, options);
  }
}
