import { randomUUID, verify } from 'node:crypto';
import type { Principal } from 'azure-functions-entra-auth';
import { SigningUnavailableError } from './signingErrors';
import { report, type SigningEvents } from './signingEvents';
import type { ActiveSigningKey, SigningKeySource } from './signingKey';

/**
 * The `typ` of identity assertions (RFC 8725 §3.11, explicit typing): a backend
 * checks it, so no other JWT from this issuer can be passed off as an assertion.
 */
export const ASSERTION_TYPE = 'identity-assertion+jwt';

/** The claims of an identity assertion: who called this app, as this app verified it. */
export interface IdentityAssertionClaims {
  readonly iss: string;
  readonly aud: string;
  /** The caller's object ID (or, without one, the token's subject). */
  readonly sub?: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  readonly oid?: string;
  readonly tid: string;
  /** The calling application's client ID. */
  readonly azp: string;
  /** `app` for daemons (client credentials), `user` for signed-in users. */
  readonly idtyp: 'app' | 'user';
  readonly roles?: readonly string[];
  /** Delegated scopes, space-separated as in Entra tokens. */
  readonly scp?: string;
  /** The `uti` of the caller's access token, to correlate with Entra sign-in logs. */
  readonly uti?: string;
  /** The configured authority that verified the caller (`default` in the single-authority AUTH_* form). */
  readonly authority: string;
  /** B2C callers: the user flow that signed them in. */
  readonly user_flow?: string;
}

export interface AssertionIssuerOptions {
  /** This app's URL: the `iss`. */
  readonly issuer: string;
  readonly lifetimeSeconds: number;
  readonly keys: SigningKeySource;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly events: SigningEvents;
  readonly newId?: () => string;
}

/** Issues identity assertions for backends: what a handler calls after withAuth has let a caller in. */
export interface AssertionIssuer {
  /** A signed JWT for `audience` about `principal`. Throws SigningUnavailableError. */
  issue(principal: Principal, audience: string): Promise<string>;
}

export function assertionClaims(
  principal: Principal,
  context: { readonly issuer: string; readonly audience: string; readonly issuedAt: number; readonly lifetimeSeconds: number; readonly jti: string },
): IdentityAssertionClaims {
  const { claims } = principal;
  const subject = principal.objectId ?? principal.subject;
  return {
    iss: context.issuer,
    aud: context.audience,
    ...(subject !== undefined && { sub: subject }),
    iat: context.issuedAt,
    nbf: context.issuedAt,
    exp: context.issuedAt + context.lifetimeSeconds,
    jti: context.jti,
    ...(principal.objectId !== undefined && { oid: principal.objectId }),
    tid: principal.tenantId,
    azp: principal.clientAppId,
    idtyp: principal.isAppOnly ? 'app' : 'user',
    ...(principal.roles.length > 0 && { roles: [...principal.roles] }),
    ...(principal.scopes.length > 0 && { scp: principal.scopes.join(' ') }),
    ...(claims.uti !== undefined && { uti: claims.uti }),
    authority: principal.authority,
    ...(principal.userFlow !== undefined && { user_flow: principal.userFlow }),
  };
}

/**
 * Builds the compact JWS by hand because the signature comes from elsewhere (Key
 * Vault signs a digest; no library signs through a remote key). Every signature is
 * checked against the published public key before it leaves: a vault or SDK
 * returning another format (DER instead of JWS's raw r||s) fails here, not at a backend.
 */
export function createAssertionIssuer(options: AssertionIssuerOptions): AssertionIssuer {
  const newId = options.newId ?? randomUUID;
  return {
    async issue(principal, audience) {
      const key = await options.keys.signingKey();
      const claims = assertionClaims(principal, {
        issuer: options.issuer,
        audience,
        issuedAt: Math.floor(options.now() / 1000),
        lifetimeSeconds: options.lifetimeSeconds,
        jti: newId(),
      });
      const header = { alg: key.alg, typ: ASSERTION_TYPE, kid: key.kid };
      const signingInput = `${encode(header)}.${encode(claims)}`;
      const input = Buffer.from(signingInput, 'ascii');
      const signature = await key.sign(input);
      const problem = signatureProblem(key, input, signature);
      if (problem) {
        report(options.events, (events) => events.onSigningFailure?.({ operation: 'sign', code: 'signature_invalid', keyVersion: key.kid, message: problem }));
        throw new SigningUnavailableError('signature_invalid', 60, problem);
      }
      return `${signingInput}.${signature.toString('base64url')}`;
    },
  };
}

function signatureProblem(key: ActiveSigningKey, input: Buffer, signature: Buffer): string | undefined {
  if (key.alg === 'ES256' && signature.length !== 64) {
    return `ES256 signature of ${signature.length} bytes from key ${key.kid}: JWS needs the 64-byte r||s form`;
  }
  const ok = verify('sha256', input, key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey, signature);
  return ok ? undefined : `the ${key.alg} signature from key ${key.kid} does not verify with its published public key`;
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

