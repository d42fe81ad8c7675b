import { AlgorithmNotAllowedError, HeaderNotAllowedError, TokenMalformedError, safeLogValue, type AuthErrorOptions, type TokenFacts } from '../errors/authErrors';
import { FORBIDDEN_HEADERS } from '../errors/checkNames';

/** Entra signs access tokens with RS256 only; an explicit allow-list defeats `none` and HS/RS confusion. */
export const ALLOWED_ALGORITHMS: readonly string[] = Object.freeze(['RS256']);

/*
 * FORBIDDEN_HEADERS (errors/checkNames.ts, where they are also check names) would
 * let the token choose its own key (jwk, jku, x5u, x5c), change how it is processed
 * (crit, b64, zip) or mark it as encrypted (enc and the JWE key-agreement members).
 * Entra never sends them; keys come only from the tenant's set.
 */

/** Key IDs are short opaque identifiers; anything else is refused before it reaches a lookup or a log (token headers and Entra's key set alike). */
export const KID_PATTERN = /^[A-Za-z0-9_.=+/-]{1,128}$/;

const ACCEPTED_TYP = new Set(['jwt', 'at+jwt', 'application/at+jwt']);

export interface CheckedHeader {
  readonly alg: string;
  readonly kid: string;
}

/** `facts` go into any error thrown, so it is complete when built. */
export function checkJoseHeader(header: Readonly<Record<string, unknown>>, facts?: TokenFacts): CheckedHeader {
  const options: AuthErrorOptions = { facts };
  const { alg, kid, typ, cty } = header;
  if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) {
    throw new AlgorithmNotAllowedError(
      `alg ${algForLog(alg)} is not allowed; accepted: ${ALLOWED_ALGORITHMS.join(', ')}`,
      'header.alg',
      options,
    );
  }
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new HeaderNotAllowedError(`the "${name}" header is not accepted`, `header.${name}`, options);
  }
  if (cty !== undefined) {
    throw new HeaderNotAllowedError('the "cty" header is not accepted (nested tokens are refused)', 'header.cty', options);
  }
  if (typ !== undefined && (typeof typ !== 'string' || !ACCEPTED_TYP.has(typ.toLowerCase()))) {
    throw new TokenMalformedError('typ must be JWT', 'header.typ', options);
  }
  if (kid === undefined) throw new TokenMalformedError('kid is required', 'header.kid', options);
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) throw new TokenMalformedError('kid is not a plain key identifier', 'header.kid', options);
  return { alg, kid };
}

/** The refused alg as a log may show it: a plain identifier quoted, anything else only described (it is attacker-chosen). */
function algForLog(alg: unknown): string {
  if (alg === undefined) return 'missing';
  const safe = safeLogValue(alg);
  return safe !== undefined ? `"${safe}"` : typeof alg === 'string' ? '(not a plain identifier)' : `(a ${alg === null ? 'null' : typeof alg}, not a string)`;
}
