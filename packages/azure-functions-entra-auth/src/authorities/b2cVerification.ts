import * as z from 'zod/mini';
import { readAccessTokenClaims } from '../entra/accessTokenClaims';
import type { OpenIdMetadata } from '../entra/openIdMetadata';
import { ClaimInvalidError, IssuerMismatchError } from '../errors/authErrors';
import { isLoopbackHost } from '../settings/fields';
import { checkAccessToken, checkClientApp } from '../verify/tokenRules';
import { VERIFICATION_STEPS, need, step, type VerificationStep, type VerificationStepName } from '../verify/verificationSteps';

/**
 * Azure AD B2C access tokens differ from Entra's: no `tid`, `ver` "1.0" yet the caller in
 * `azp`, the user flow in `tfp` (or `acr` in tenants set up before tfp), and one
 * discovery document and key set per user flow. These are the verifier's steps for one
 * B2C user flow: Entra's own steps where they hold, B2C's where they differ, in the same
 * cheapest-first order, ending with the same issuer, key and signature steps.
 */
export function b2cVerificationSteps(tenantId: string, userFlow: string): readonly VerificationStep[] {
  const shared = (name: VerificationStepName): VerificationStep => {
    const found = VERIFICATION_STEPS.find((candidate) => candidate.name === name);
    if (!found) throw new TypeError(`no verification step ${name}`);
    return found;
  };
  return Object.freeze([
    shared('jose_header'),
    step('claim_shapes', false, 'every claim the verifier or the principal reads has its documented type (B2C: no tid)', (c) => {
      c.established.claims = readAccessTokenClaims(c.payload, c.facts, { tidOptional: true });
    }),
    shared('token_version'),
    shared('audience'),
    shared('lifetime'),
    // B2C's tenant step: the tenant is in iss (checked by the issuer step), so what is checked here is the user flow.
    step('tenant', false, 'B2C: tfp (or acr) names the user flow whose key set verifies the token; the tenant is the configured one', (c) => {
      const { tfp, acr } = c.payload;
      const claim = tfp !== undefined ? 'tfp' : 'acr';
      const value = tfp ?? acr;
      if (value === undefined) throw new ClaimInvalidError('tfp', 'missing', 'a B2C token names its user flow in tfp (or acr)', { facts: c.facts });
      if (typeof value !== 'string') throw new ClaimInvalidError(claim, 'invalid', `${claim} must be a string`, { facts: c.facts });
      // User flow names are case-insensitive in B2C; the router chose this key source by the same comparison.
      if (value.toLowerCase() !== userFlow.toLowerCase()) {
        throw new IssuerMismatchError('the token names another user flow than the key set it was routed to', `claims.${claim}`, { facts: c.facts });
      }
      c.established.userFlow = userFlow;
      // B2C names its tenant in iss, not tid: the tenant is the configured one, which the issuer step then holds it to.
      c.established.tenantId = tenantId;
    }),
    step('access_token', false, 'the token names its calling app (azp) and is an access token, not an ID token', (c) => {
      c.established.clientAppId = checkAccessToken(need(c, 'claims'), '2.0', c.facts);
    }),
    step('client_app', false, 'the calling app is in the allowed caller apps, when that is set', (c) => {
      checkClientApp(need(c, 'clientAppId'), '2.0', c.settings, c.facts);
    }),
    shared('issuer'),
    shared('signing_key'),
    shared('signature'),
  ]);
}

const document = z.object({ issuer: z.string().check(z.maxLength(512)), jwks_uri: z.string().check(z.maxLength(1024)) });

/**
 * A B2C user flow's discovery document (or a local stand-in's for External ID): its issuer must be exactly the configured one
 * (a user flow set to the `tfp` issuer form, or another tenant's document, is refused),
 * and its key set must be served from the authority's own host.
 */
export function parseB2cMetadata(body: unknown, expectedIssuer: string, instance: string): OpenIdMetadata {
  const parsed = document.safeParse(body);
  if (!parsed.success) throw new Error('discovery document lacks issuer or jwks_uri');
  const { issuer, jwks_uri: jwksUri } = parsed.data;
  if (issuer !== expectedIssuer) {
    throw new Error(
      expectedIssuer.endsWith('/v2.0/')
        ? `issuer is not ${expectedIssuer} (the user flow's "Issuer (iss) claim" must be the https://<domain>/<tenant-id>/v2.0/ form)`
        : `issuer is not ${expectedIssuer}`,
    );
  }
  let keys: URL;
  try {
    keys = new URL(jwksUri);
  } catch {
    throw new Error('jwks_uri is not a URL');
  }
  if (keys.protocol !== 'https:' && !(keys.protocol === 'http:' && isLoopbackHost(keys.hostname))) throw new Error('jwks_uri must use https');
  if (keys.origin !== instance) throw new Error(`jwks_uri is served from ${keys.origin}, not from the authority ${instance}`);
  return Object.freeze({ issuer, jwksUri });
}
