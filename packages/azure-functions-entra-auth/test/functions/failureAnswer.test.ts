import { anyOf } from '../../src/authz/authPolicy';
import {
  AlgorithmNotAllowedError,
  AudienceMismatchError,
  ClaimInvalidError,
  ClientAppNotAllowedError,
  HeaderNotAllowedError,
  IssuerMismatchError,
  KeyNotFoundError,
  KeysUnavailableError,
  NotAccessTokenError,
  SignatureInvalidError,
  TenantNotAllowedError,
  TokenExpiredError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenVersionNotAllowedError,
  type AuthError,
  type TokenFacts,
} from '../../src/errors/authErrors';
import { REQUEST_FAILURES, REQUEST_FAILURE_CODES, REVOCATION_FAILURES, REVOCATION_FAILURE_CODES, TOKEN_FAILURE_CODES, type PackageFailureCode } from '../../src/errors/failureCodes';
import { defineFailures } from '../../src/errors/failureDefinition';
import { Refusal, type Failure } from '../../src/errors/refusal';
import { answerFailure, type RequestSite } from '../../src/functions/failureAnswer';

/**
 * Every failure code, walked through the one function that answers it: status,
 * WWW-Authenticate, the other headers, the problem body and the telemetry event.
 * The expectations are written out here, not read from the code's own tables.
 */

const REALM = 'api://orders-api';
const SITE: RequestSite = { method: 'GET', route: 'orders/{id}', functionName: 'order', invocationId: '0b6c3d6e-5f0a-4c1b-9d2e-3f4a5b6c7d8e' };
const FACTS: TokenFacts = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientAppId: '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01', version: '2.0', kid: 'kid-1' };
const withFacts = { facts: FACTS };

interface Row {
  readonly failure: () => Failure;
  readonly status: number;
  readonly title: string;
  readonly challenge: string | null;
  readonly detail: string;
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;
  /** Whether the token's IDs reach the event (a decoded or verified token). */
  readonly facts: boolean;
}

const invalidToken = (failure: () => AuthError, detail: string): Row => ({
  failure,
  status: 401,
  title: 'Unauthorized',
  challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="${detail}"`,
  detail,
  facts: true,
});

const plain = (failure: () => Failure, status: number, title: string, detail: string, more: Partial<Row> = {}): Row => ({
  failure,
  status,
  title,
  challenge: null,
  detail,
  facts: false,
  ...more,
});

const ROWS = {
  token_malformed: invalidToken(() => new TokenMalformedError('kid is required', 'header.kid', withFacts), 'The access token is not a well-formed signed JWT.'),
  claim_invalid: invalidToken(() => new ClaimInvalidError('tid', 'invalid', 'tid must be a tenant GUID', withFacts), 'The access token has a missing or malformed claim.'),
  alg_not_allowed: invalidToken(() => new AlgorithmNotAllowedError('alg "none" is not allowed', 'header.alg', withFacts), 'The access token is signed with an algorithm this API does not accept.'),
  header_not_allowed: invalidToken(() => new HeaderNotAllowedError('the "jku" header is not accepted', 'header.jku', withFacts), 'The access token carries a header this API does not accept.'),
  signature_invalid: invalidToken(() => new SignatureInvalidError('signature does not verify', 'signature', withFacts), 'The access token signature is invalid.'),
  key_not_found: invalidToken(() => new KeyNotFoundError('no key with this kid', 'header.kid', withFacts), 'The access token is signed with a key the tenant does not publish.'),
  token_expired: invalidToken(() => new TokenExpiredError('token has expired', 'claims.exp', withFacts), 'The access token has expired; request a new one.'),
  token_not_yet_valid: invalidToken(() => new TokenNotYetValidError('token is not valid yet (nbf)', 'claims.nbf', withFacts), 'The access token is not valid yet; check the client clock.'),
  audience_mismatch: invalidToken(() => new AudienceMismatchError('token is for another audience', 'claims.aud', withFacts), 'The access token was issued for a different API; request a token for this API.'),
  issuer_mismatch: invalidToken(() => new IssuerMismatchError('iss is not the v2.0 issuer', 'claims.iss', withFacts), 'The access token was not issued by the expected authority.'),
  tenant_not_allowed: invalidToken(() => new TenantNotAllowedError('tokens from this tenant are not accepted', 'claims.tid', withFacts), 'Tokens from this tenant are not accepted by this API.'),
  client_app_not_allowed: invalidToken(() => new ClientAppNotAllowedError('not in AUTH_ALLOWED_CLIENT_APPS', 'claims.azp', withFacts), 'The calling application is not allowed to use this API.'),
  token_version_not_allowed: invalidToken(() => new TokenVersionNotAllowedError('token version is not accepted', 'claims.ver', withFacts), 'This access token version is not accepted by this API.'),
  not_access_token: invalidToken(() => new NotAccessTokenError('not an access token: azp is missing', 'claims.azp', withFacts), 'The token is not an access token for an API (an ID token, for instance).'),
  keys_unavailable: plain(() => new KeysUnavailableError('v2.0 signing keys unavailable: HTTP 503', 'jwks.fetch', 15, withFacts), 503, 'Service Unavailable', 'Token signing keys are temporarily unavailable; retry shortly.', {
    headers: { 'retry-after': '15' },
    facts: true,
  }),
  token_missing: plain(() => new Refusal(REQUEST_FAILURES.token_missing, 'header.authorization', 'no bearer token in the request'), 401, 'Unauthorized', 'This API requires an access token in the Authorization header (Bearer).', {
    challenge: `Bearer realm="${REALM}"`,
  }),
  invalid_request: plain(
    () => new Refusal(REQUEST_FAILURES.invalid_request, 'request.query_token', 'token in the query string', { description: 'Send the access token in the Authorization header, not the query string' }),
    400,
    'Bad Request',
    'Send the access token in the Authorization header, not the query string',
    { challenge: `Bearer realm="${REALM}", error="invalid_request", error_description="Send the access token in the Authorization header, not the query string"` },
  ),
  insufficient_scope: plain(
    () => new Refusal(REQUEST_FAILURES.insufficient_scope, 'claims.roles', 'caller lacks any of Orders.Read Orders.ReadWrite', { ...withFacts, required: anyOf('Orders.Read', 'Orders.ReadWrite') }),
    403,
    'Forbidden',
    'The access token lacks the permission this operation requires.',
    {
      challenge: `Bearer realm="${REALM}", error="insufficient_scope", error_description="The access token lacks the permission this operation requires.", scope="Orders.Read Orders.ReadWrite"`,
      extra: { required: { anyOf: ['Orders.Read', 'Orders.ReadWrite'] } },
      facts: true,
    },
  ),
  tenant_mismatch: plain(() => new Refusal(REQUEST_FAILURES.tenant_mismatch, 'route.tenantId', 'route tenant differs', withFacts), 403, 'Forbidden', 'The access token tenant does not match the tenant in the request.', {
    facts: true,
  }),
  authority_not_accepted: plain(
    () => new Refusal(REQUEST_FAILURES.authority_not_accepted, 'policy.authority', 'authority customers is not accepted here', withFacts),
    401,
    'Unauthorized',
    'Tokens from this authority are not accepted by this operation; sign in with the authority it serves.',
    {
      challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="Tokens from this authority are not accepted by this operation; sign in with the authority it serves."`,
      facts: true,
    },
  ),
  claim_required: plain(
    () => new Refusal(REQUEST_FAILURES.claim_required, 'claim_rule.wids', 'claim wids holds none of the required values', withFacts),
    403,
    'Forbidden',
    'The access token lacks a claim value this operation requires.',
    { challenge: `Bearer realm="${REALM}", error="insufficient_scope", error_description="The access token lacks a claim value this operation requires."`, facts: true },
  ),
  groups_overage: plain(
    () => new Refusal(REQUEST_FAILURES.groups_overage, 'claim_rule.groups', 'groups overage', withFacts),
    403,
    'Forbidden',
    'The access token carries a groups overage instead of the groups; this operation cannot decide on its groups.',
    { facts: true },
  ),
  authentication_context_required: plain(
    () =>
      new Refusal(REQUEST_FAILURES.authentication_context_required, 'policy.authentication_context', 'acrs lacks c1', {
        ...withFacts,
        claimsChallenge: { authorizationUri: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize', claims: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}' },
      }),
    401,
    'Unauthorized',
    'This operation requires a stronger sign-in (an authentication context); request a token with the claims in the challenge.',
    {
      challenge:
        `Bearer realm="${REALM}", authorization_uri="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize", ` +
        'error="insufficient_claims", error_description="This operation requires a stronger sign-in (an authentication context); request a token with the claims in the challenge.", ' +
        'claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"',
      facts: true,
    },
  ),
  method_not_allowed: plain(() => new Refusal(REQUEST_FAILURES.method_not_allowed, 'policy.method', 'no policy entry', { allow: ['GET', 'DELETE'] }), 405, 'Method Not Allowed', 'This method is not available on this resource.', {
    headers: { allow: 'GET, DELETE' },
  }),
  internal_error: plain(() => new Refusal(REQUEST_FAILURES.internal_error, 'verifier', 'unexpected verifier failure'), 500, 'Internal Server Error', 'The request failed; quote the invocation ID to support.'),
  token_revoked: plain(() => new Refusal(REVOCATION_FAILURES.token_revoked, 'revocation', 'a revocation rule covers the token', withFacts), 401, 'Unauthorized', 'The access token has been revoked; request a new one.', {
    challenge: `Bearer realm="${REALM}", error="invalid_token", error_description="The access token has been revoked; request a new one."`,
    facts: true,
  }),
  revocation_unavailable: plain(
    () => new Refusal(REVOCATION_FAILURES.revocation_unavailable, 'revocation.rules', 'no rules younger than the bound', { ...withFacts, retryAfterSeconds: 5 }),
    503,
    'Service Unavailable',
    'Token revocation rules are temporarily unavailable; retry shortly.',
    { headers: { 'retry-after': '5' }, facts: true },
  ),
} satisfies Record<PackageFailureCode, Row>;

describe('answerFailure, for every failure code', () => {
  it('has a row here for every code of the union, and no other', () => {
    expect(Object.keys(ROWS).sort()).toEqual([...TOKEN_FAILURE_CODES, ...REQUEST_FAILURE_CODES, ...REVOCATION_FAILURE_CODES].sort());
  });

  it.each(Object.entries(ROWS) as [PackageFailureCode, Row][])('%s', (code, row) => {
    const failure = row.failure();
    expect(failure.code).toBe(code);
    expect(Object.isFrozen(failure.facts)).toBe(true);
    const { response, event } = answerFailure(failure, SITE, REALM);

    expect(response.status).toBe(row.status);
    const headers = response.headers as Record<string, string>;
    expect(headers['www-authenticate']).toBe(row.challenge ?? undefined);
    expect(headers).toEqual({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...(row.challenge !== null && { 'www-authenticate': row.challenge }),
      ...row.headers,
    });
    expect(response.jsonBody).toEqual({
      type: 'about:blank',
      title: row.title,
      status: row.status,
      code,
      detail: row.detail,
      invocationId: SITE.invocationId,
      ...row.extra,
    });
    expect(event).toEqual({
      code,
      check: failure.check,
      status: row.status,
      ...SITE,
      // A refused token's IDs are claims only; a Refusal's come from a verified token.
      ...(row.facts &&
        (failure instanceof Refusal
          ? { tenantId: FACTS.tenantId, clientAppId: FACTS.clientAppId }
          : { unverifiedTenantId: FACTS.tenantId, unverifiedClientAppId: FACTS.clientAppId })),
      ...(row.facts && { tokenVersion: FACTS.version, kid: FACTS.kid }),
      message: failure.message,
    });
  });
});

describe('answerFailure and the realm', () => {
  it("answers a refusal without a challenge (an app's own) with no realm, and no WWW-Authenticate", () => {
    const { order_not_found } = defineFailures({ order_not_found: { status: 404, challenge: 'none', detail: 'No such order.' } });
    const { response } = answerFailure(new Refusal(order_not_found, 'orders.lookup', 'no such order'), SITE);
    expect(response.status).toBe(404);
    expect(response.headers).not.toHaveProperty('www-authenticate');
  });

  it('throws TypeError, not a challenge without its realm, when a refusal that challenges has none', () => {
    expect(() => answerFailure(new Refusal(REQUEST_FAILURES.token_missing, 'header.authorization', 'no token'), SITE)).toThrow(TypeError);
  });
});

describe('failures are complete and immutable when built', () => {
  it('freezes a refusal with everything it says', () => {
    const refusal = new Refusal(REQUEST_FAILURES.method_not_allowed, 'policy.method', 'no policy entry', { allow: ['GET'] });
    expect(Object.isFrozen(refusal)).toBe(true);
    expect(Object.isFrozen(refusal.allow)).toBe(true);
    expect(() => {
      (refusal as { code: string }).code = 'token_missing';
    }).toThrow(TypeError);
  });

  it('refuses, at construction, a retryable refusal without its Retry-After', () => {
    const { store_unavailable } = defineFailures({ store_unavailable: { status: 503, challenge: 'none', retryable: true, detail: 'The store is not answering.' } });
    expect(() => new Refusal(store_unavailable, 'orders.store', 'down')).toThrow(/needs retryAfterSeconds/);
  });

  it('refuses, at construction, a challenge description the header could not carry as the body does', () => {
    expect(() => new Refusal(REQUEST_FAILURES.invalid_request, 'header.authorization', 'bad', { description: 'must be "Bearer <token>"' })).toThrow(/error_description/);
    expect(new Refusal(REQUEST_FAILURES.invalid_request, 'header.authorization', 'bad', { description: 'must be: Bearer <token>' }).detail).toBe('must be: Bearer <token>');
  });

  it('refuses, at definition, an app code that would break the answer shape', () => {
    expect(() => defineFailures({ 'Bad-Code': { status: 400, challenge: 'none', detail: 'x' } })).toThrow(/snake_case/);
    expect(() => defineFailures({ teapot: { status: 200, challenge: 'none', detail: 'x' } })).toThrow(/not an error status/);
    expect(() => defineFailures({ locked: { status: 423, challenge: 'invalid_token', detail: 'x' } })).toThrow(/challenge belongs to 401/);
    expect(() => defineFailures({ busy: { status: 409, challenge: 'none', retryable: true, detail: 'x' } })).toThrow(/Retry-After/);
  });

  it('gives a token error its facts at construction, frozen, and re-issues without touching the original', () => {
    const original = new KeyNotFoundError('no key', 'header.kid');
    const complete = original.withFacts(FACTS);
    expect(original.facts).toEqual({});
    expect(complete).toBeInstanceOf(KeyNotFoundError);
    expect(complete).toMatchObject({ code: 'key_not_found', check: 'header.kid', message: 'no key', facts: FACTS });
    expect(Object.isFrozen(complete.facts)).toBe(true);
    const unavailable = new KeysUnavailableError('down', 'openid.fetch', 7).withFacts(FACTS);
    expect(unavailable).toMatchObject({ retryAfterSeconds: 7, check: 'openid.fetch', facts: FACTS });
    expect(new ClaimInvalidError('exp', 'missing', 'exp is required').withFacts(FACTS)).toMatchObject({ claim: 'exp', reason: 'missing', check: 'claims.exp', facts: FACTS });
  });
});
