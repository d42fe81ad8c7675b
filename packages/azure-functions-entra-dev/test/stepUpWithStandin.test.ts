import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import { anyOf, createEntraAuth } from 'azure-functions-entra-auth';
import { invoke, startLocalEntra, type LocalEntra } from '../src/testing/localEntra';
import { createCaTrustingFetch, type CaTrustingFetch } from '../src/tls/caTrustingFetch';

/**
 * Issue 22 item 3 against the local Entra stand-in: a middle tier's real @azure/msal-node
 * client gets a delegated token on behalf of its user (the stand-in's on-behalf-of grant),
 * the API answers the claims challenge for authentication context c1, MSAL asks the
 * stand-in again with the challenge's claims, and the second call passes.
 */

let kit: LocalEntra;
beforeAll(async () => {
  kit = await startLocalEntra();
});
afterAll(() => kit.stop());

it('a step-up: 401 insufficient_claims, MSAL retries with the claims, the stand-in issues acrs c1, 200', async () => {
  const api = kit.registry.apiByName('orders-api');
  const middleTier = kit.registry.clientByName('reader');
  if (!api || !middleTier) throw new Error('the registry lacks orders-api or reader');
  const scope = `${api.appIdUri}/${api.scopes[0]?.value ?? ''}`;

  const fetch = createCaTrustingFetch(kit.caPem);
  const msal = new ConfidentialClientApplication({
    auth: { clientId: middleTier.clientId, clientSecret: middleTier.secret, authority: kit.standin.authority, knownAuthorities: [new URL(kit.url).host] },
    // The stand-in's TLS certificate is signed by its own CA: MSAL's documented hook for the HTTP client.
    system: { networkClient: networkClientOver(fetch) },
  });

  const auth = createEntraAuth({ env: kit.settings('orders-api') });
  const handler = auth.withAuth(() => ({ status: 204 }), { DELETE: { scopes: anyOf(api.scopes[0]?.value ?? ''), authenticationContext: 'c1' } });
  const callApi = (token: string) => invoke(handler, { method: 'DELETE', url: 'https://localhost/api/orders/1', headers: { authorization: `Bearer ${token}` } });

  // The middle tier's signed-in user, as the stand-in signs a user's token.
  const request = { scopes: [scope], oboAssertion: await kit.token({ api: 'orders-api', kind: 'delegated', scopes: ['user_impersonation'] }) };
  const first = await msal.acquireTokenOnBehalfOf(request);
  const refused = await callApi(first?.accessToken ?? '');
  expect(refused.status).toBe(401);
  const challenge = refused.headers['www-authenticate'] ?? '';
  expect(challenge).toContain(`authorization_uri="${kit.url}/${kit.tenantId}/oauth2/v2.0/authorize", error="insufficient_claims"`);

  const claims = Buffer.from(/claims="([^"]+)"/.exec(challenge)?.[1] ?? '', 'base64').toString('utf8');
  const second = await msal.acquireTokenOnBehalfOf({ ...request, claims });
  expect((await callApi(second?.accessToken ?? '')).status).toBe(204);
});

it('refuses an on-behalf-of assertion the stand-in did not sign, and a claims request that is not JSON', async () => {
  const middleTier = kit.registry.clientByName('reader');
  const api = kit.registry.apiByName('orders-api');
  if (!api || !middleTier) throw new Error('the registry lacks orders-api or reader');
  const fetch = createCaTrustingFetch(kit.caPem);
  const post = async (extra: Record<string, string>) => {
    const response = await fetch(`${kit.standin.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        client_id: middleTier.clientId,
        client_secret: middleTier.secret,
        scope: `${api.appIdUri}/${api.scopes[0]?.value ?? ''}`,
        ...extra,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as { error?: string } };
  };
  const assertion = await kit.token({ api: 'orders-api', kind: 'delegated', scopes: ['user_impersonation'] });
  const [head = '', payload = ''] = assertion.split('.');
  expect(await post({ assertion: `${head}.${payload}.${'A'.repeat(342)}` })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  expect(await post({ assertion, claims: '{not json' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  expect(await post({ assertion, claims: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}' })).toMatchObject({ status: 200 });
});

function networkClientOver(fetch: CaTrustingFetch): INetworkModule {
  const send = async <T>(url: string, method: 'GET' | 'POST', headers?: Record<string, string>, body?: string): Promise<NetworkResponse<T>> => {
    const response = await fetch(url, { method, ...(headers && { headers }), ...(body !== undefined && { body }) });
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers.entries()), body: (text === '' ? {} : JSON.parse(text)) as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options?.headers),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options?.headers, options?.body),
  };
}
