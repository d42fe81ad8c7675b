import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import { createAuthorityVerifier } from '../../src/authorities/createAuthorityVerifier';
import { anyOf, defineAuthPolicy } from '../../src/authz/authPolicy';
import { createGuard, methodsOf } from '../../src/functions/withAuth';
import { loadAuthSettings } from '../../src/settings/authSettings';
import { RecordingObserver } from '../support/authFixture';
import { accessTokenClaims, createTestKey, signToken, CALLER_APP, TENANT } from '../support/entraTokens';
import { FakeAuthorities } from '../support/fakeAuthorities';
import { invokeHttp } from '../support/invokeHttp';

/**
 * Issue 22 item 3 with a real client: @azure/msal-node meets the claims challenge, asks
 * the authority for a token with those claims, and the second call passes. The authority
 * is a test double on 127.0.0.1 (discovery, keys and an on-behalf-of token endpoint that
 * honours an acrs claims request), reached through MSAL's own networkClient option; the
 * local Entra stand-in's delegated tokens are not here yet (see the report of issue 22).
 */

const API = '11111111-1111-4111-8111-111111111111';
const REALM = 'api://orders-api';
const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`;
const SCOPE = `${REALM}/Orders.Read`;
/** The token the middle tier received from its own caller; the double only checks it is this one. */
const USER_ASSERTION = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJtZWdhbiJ9.c2lnbmF0dXJl';

it('a delegated call without the authentication context gets the challenge; MSAL asks again with its claims and the retry passes', async () => {
  const key = createTestKey('employees-key');
  const claimsRequests: (string | null)[] = [];
  const fake = new FakeAuthorities().workforce(TENANT, [key.publicJwk]);
  fake.serve(`${AUTHORITY}/v2.0/.well-known/openid-configuration`, {
    issuer: `${AUTHORITY}/v2.0`,
    jwks_uri: `${AUTHORITY}/discovery/v2.0/keys`,
    token_endpoint: `${AUTHORITY}/oauth2/v2.0/token`,
    authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${AUTHORITY}/oauth2/v2.0/logout`,
  });
  fake.onPost(`${AUTHORITY}/oauth2/v2.0/token`, async (form) => {
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || form.get('assertion') !== USER_ASSERTION) throw new Error('unexpected grant');
    const claims = form.get('claims');
    claimsRequests.push(claims);
    // Entra puts the requested authentication context into acrs once the user has met it.
    const requested = claims === null ? undefined : (JSON.parse(claims) as { access_token?: { acrs?: { value?: string } } }).access_token?.acrs?.value;
    const accessToken = await signToken(
      key,
      accessTokenClaims({ kind: 'delegated', scp: 'Orders.Read', claims: { aud: API, azp: CALLER_APP, ...(requested !== undefined && { acrs: [requested] }) } }),
    );
    return { token_type: 'Bearer', scope: SCOPE, expires_in: 3599, ext_expires_in: 3599, access_token: accessToken };
  });
  await fake.start();
  try {
    // MSAL's own networkClient option: its requests for https://login.microsoftonline.com go to the double on 127.0.0.1.
    const networkClient: INetworkModule = {
      sendGetRequestAsync: (url, options) => send(fake, url, 'GET', options?.headers, undefined),
      sendPostRequestAsync: (url, options) => send(fake, url, 'POST', options?.headers, options?.body),
    };
    const msal = new ConfidentialClientApplication({
      auth: { clientId: CALLER_APP, clientSecret: 'test-secret', authority: AUTHORITY, knownAuthorities: ['login.microsoftonline.com'] },
      system: { networkClient },
    });

    const settings = loadAuthSettings({
      AUTH_AUTHORITIES: JSON.stringify([
        { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: API, appIdUri: REALM },
        { name: 'customers', kind: 'externalId', tenantId: '22222222-2222-4222-8222-222222222222', tenantName: 'contosocustomers', clientId: API },
      ]),
    });
    const guard = createGuard({ verifier: createAuthorityVerifier(settings, { fetch: fake.fetch }), observer: new RecordingObserver(), realm: REALM, authorize: { authorities: settings.authorities } });
    const policy = defineAuthPolicy({ DELETE: { scopes: anyOf('Orders.Read'), authenticationContext: 'c1' } }, undefined, settings.authorities);
    const api = guard(methodsOf(policy, () => () => ({ status: 204 })));
    const callApi = (token: string) => invokeHttp(api, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

    // A middle tier calling this API for its signed-in user (on-behalf-of): a delegated token, as step-up needs.
    const request = { scopes: [SCOPE], oboAssertion: USER_ASSERTION };
    const first = await msal.acquireTokenOnBehalfOf(request);
    const refused = await callApi(first?.accessToken ?? '');
    expect(refused.status).toBe(401);
    const challenge = refused.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_claims"');

    // What an app does with the challenge, as Microsoft documents it: base64-decode claims and hand them to MSAL.
    const claims = Buffer.from(/claims="([^"]+)"/.exec(challenge)?.[1] ?? '', 'base64').toString('utf8');
    const second = await msal.acquireTokenOnBehalfOf({ ...request, claims });
    expect(claimsRequests).toHaveLength(2);
    expect(claimsRequests[0]).toBeNull();
    // MSAL sends the challenge's access_token request as given (merging id_token claims of its own beside it).
    expect(JSON.parse(claimsRequests[1] ?? 'null')).toMatchObject({ access_token: { acrs: { essential: true, value: 'c1' } } });

    expect((await callApi(second?.accessToken ?? '')).status).toBe(204);
  } finally {
    await fake.stop();
  }
});

async function send<T>(fake: FakeAuthorities, url: string, method: 'GET' | 'POST', headers: Record<string, string> | undefined, body: string | undefined): Promise<NetworkResponse<T>> {
  const response = await fetch(fake.localUrl(url), { method, ...(headers && { headers }), ...(body !== undefined && { body }) });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers.entries()), body: (text === '' ? {} : JSON.parse(text)) as T };
}
