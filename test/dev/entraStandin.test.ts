import { X509Certificate, createHash } from 'node:crypto';
import type { AccessTokenVerifier } from 'azure-functions-entra-auth';
import type { ClientOutcome, ClientScenario } from './support/realClientsProgram';
import { runRealClients } from './support/runRealClients';
import { readJwt, startStandinHarness, type StandinHarness } from './support/standinHarness';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let h: StandinHarness;
let v2: AccessTokenVerifier;
let v1: AccessTokenVerifier;

beforeAll(async () => {
  h = await startStandinHarness();
  v2 = h.verifierFor('orders-api', { cacheSize: 0 });
  v1 = h.verifierFor('orders-api-v1', { cacheSize: 0 });
});
afterAll(() => h.stop());

describe('real Microsoft client libraries against the stand-in (child process trusting it via NODE_EXTRA_CA_CERTS)', () => {
  let outcomes: Map<string, ClientOutcome>;

  const scenario = (library: ClientScenario['library'], clientName: string, apiName: string, secret?: string): ClientScenario => ({
    name: `${library}:${clientName}:${apiName}${secret === undefined ? '' : ':bad-secret'}`,
    library,
    clientId: h.client(clientName).clientId,
    secret: secret ?? h.client(clientName).secret,
    scope: `${h.api(apiName).appIdUri}/.default`,
  });

  beforeAll(async () => {
    const scenarios: ClientScenario[] = [];
    for (const library of ['identity', 'msal'] as const) {
      for (const clientName of ['reader', 'writer']) {
        for (const apiName of ['orders-api', 'orders-api-v1']) scenarios.push(scenario(library, clientName, apiName));
      }
      scenarios.push(scenario(library, 'reader', 'orders-api', 'not-the-secret-of-reader'));
    }
    scenarios.push(scenario('identity', 'norole', 'orders-api'));
    scenarios.push(scenario('msal-cloud-discovery', 'writer', 'orders-api'));
    outcomes = await runRealClients({ workDir: h.workDir, caPath: h.standin.caPath, url: h.standin.url, tenantId: h.standin.tenantId, scenarios });
  });

  const tokenOf = (name: string): string => {
    const outcome = outcomes.get(name);
    if (!outcome?.ok) throw new Error(`${name} got no token: ${JSON.stringify(outcome)}`);
    return outcome.token;
  };

  it.each([
    ['identity', 'reader', 'Orders.Read'],
    ['identity', 'writer', 'Orders.ReadWrite'],
    ['msal', 'reader', 'Orders.Read'],
    ['msal', 'writer', 'Orders.ReadWrite'],
  ])('%s gets a v2 token for orders-api as %s that this project verifies, with aud = client ID and roles [%s]', async (library, clientName, role) => {
    const verified = await v2.verify(tokenOf(`${library}:${clientName}:orders-api`));
    expect(verified.version).toBe('2.0');
    expect(verified.claims.aud).toBe(h.api('orders-api').clientId);
    expect(verified.claims.iss).toBe(`${h.standin.url}/${h.standin.tenantId}/v2.0`);
    expect(verified.claims.roles).toEqual([role]);
    expect(verified.clientAppId).toBe(h.client(clientName).clientId);
    expect(verified.tenantId).toBe(h.standin.tenantId);
  });

  it.each([
    ['identity', 'reader', 'Orders.Read'],
    ['identity', 'writer', 'Orders.ReadWrite'],
    ['msal', 'reader', 'Orders.Read'],
    ['msal', 'writer', 'Orders.ReadWrite'],
  ])('%s gets a v1 token for orders-api-v1 as %s (version set by the registration, same v2 endpoint), aud = App ID URI', async (library, clientName, role) => {
    const verified = await v1.verify(tokenOf(`${library}:${clientName}:orders-api-v1`));
    expect(verified.version).toBe('1.0');
    expect(verified.claims.aud).toBe('api://orders-api-v1');
    expect(verified.claims.iss).toBe(`https://sts.windows.net/${h.standin.tenantId}/`);
    expect(verified.claims.appid).toBe(h.client(clientName).clientId);
    expect(verified.claims.roles).toEqual([role]);
  });

  it('issues norole a token with no roles claim at all, as Entra does for an app without assignments', async () => {
    const token = tokenOf('identity:norole:orders-api');
    expect('roles' in readJwt(token).payload).toBe(false);
    const verified = await v2.verify(token);
    expect(verified.claims.roles).toBeUndefined();
    expect(verified.claims.idtyp).toBe('app');
  });

  it('lets MSAL trust the host through the stand-in’s own instance-discovery answer (cloudDiscoveryMetadata)', async () => {
    expect((await v2.verify(tokenOf('msal-cloud-discovery:writer:orders-api'))).claims.roles).toEqual(['Orders.ReadWrite']);
  });

  it.each(['identity', 'msal'])('%s surfaces a wrong secret as AADSTS7000215 / invalid_client', (library) => {
    const outcome = outcomes.get(`${library}:reader:orders-api:bad-secret`);
    expect(outcome?.ok).toBe(false);
    if (outcome?.ok !== false) return;
    expect(outcome.message).toContain('AADSTS7000215: Invalid client secret provided.');
    // MSAL's ServerError carries Entra's fields; @azure/identity rethrows its message.
    if (library === 'msal') expect(outcome).toMatchObject({ oauthError: 'invalid_client', errorNo: '7000215' });
    else expect(outcome.message).toMatch(/^invalid_client: Error\(s\): 7000215 /);
  });

  it('gives tokens Entra’s app-only claim shapes and header', () => {
    const { header, payload } = readJwt(tokenOf('msal:reader:orders-api'));
    expect(header).toEqual({ typ: 'JWT', alg: 'RS256', kid: h.standin.signingKids()[0] });
    expect(Object.keys(payload).sort()).toEqual(['aio', 'aud', 'azp', 'azpacr', 'exp', 'iat', 'idtyp', 'iss', 'nbf', 'oid', 'rh', 'roles', 'sub', 'tid', 'uti', 'ver']);
    expect(payload).toMatchObject({ azpacr: '1', idtyp: 'app', oid: h.client('reader').servicePrincipalId, sub: h.client('reader').servicePrincipalId });
    const lifetime = (payload.exp as number) - (payload.iat as number);
    expect(lifetime).toBeGreaterThanOrEqual(60 * 60);
    expect(lifetime).toBeLessThanOrEqual(90 * 60);

    const v1Token = readJwt(tokenOf('msal:reader:orders-api-v1'));
    expect(v1Token.header).toMatchObject({ x5t: v1Token.header.kid });
    expect(v1Token.payload).toMatchObject({ appidacr: '1', idp: `https://sts.windows.net/${h.standin.tenantId}/`, idtyp: 'app' });
    expect(v1Token.payload).not.toHaveProperty('azp');
  });
});

describe('token endpoint errors (plain HTTPS)', () => {
  const reader = () => h.client('reader');
  const form = (overrides: Record<string, string | undefined>): Record<string, string> => {
    const base: Record<string, string | undefined> = {
      grant_type: 'client_credentials',
      client_id: reader().clientId,
      client_secret: reader().secret,
      scope: 'api://orders-api/.default',
      ...overrides,
    };
    return Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined));
  };

  it.each<[string, Record<string, string | undefined>, number, string, number]>([
    ['a wrong secret', { client_secret: 'wrong-secret-wrong-secret' }, 401, 'invalid_client', 7000215],
    ['no secret at all', { client_secret: undefined }, 401, 'invalid_client', 7000218],
    ['an unknown client', { client_id: '00000000-0000-4000-8000-00000000dead' }, 400, 'unauthorized_client', 700016],
    ['a scope without /.default', { scope: 'api://orders-api/Orders.Read' }, 400, 'invalid_scope', 1002012],
    ['two resources in one scope', { scope: 'api://orders-api/.default api://orders-api-v1/.default' }, 400, 'invalid_scope', 28000],
    ['an unknown resource', { scope: 'api://no-such-api/.default' }, 400, 'invalid_resource', 500011],
    ['an unsupported grant', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
    ['no grant_type', { grant_type: undefined }, 400, 'invalid_request', 900144],
  ])('answers %s with Entra’s error shape and code', async (_case, overrides, status, error, code) => {
    const reply = await h.postForm(form(overrides));
    expect(reply.status).toBe(status);
    expect(reply.body).toMatchObject({ error, error_codes: [code] });
    expect(reply.body.error_description).toEqual(expect.stringMatching(new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: .+\\r\\nCorrelation ID: .+\\r\\nTimestamp: `)));
    expect(reply.body.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/));
    expect(reply.body.trace_id).toEqual(expect.stringMatching(GUID));
    expect(reply.body.correlation_id).toEqual(expect.stringMatching(GUID));
  });

  it('echoes the caller’s client-request-id as the correlation ID', async () => {
    const id = '3f2a6c1e-9b7d-4e5f-8a1b-2c3d4e5f6a7b';
    const reply = await h.postForm(form({ client_secret: 'wrong-secret-wrong-secret' }), { headers: { 'client-request-id': id } });
    expect(reply.body.correlation_id).toBe(id);
  });

  it.each([
    ['common', 50059],
    ['organizations', 50059],
    ['11111111-2222-4333-8444-555555555555', 90002],
  ])('refuses client_credentials on the %s tenant path (AADSTS%d)', async (tenant, code) => {
    const reply = await h.postForm(form({}), { path: `/${tenant}/oauth2/v2.0/token` });
    expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_request', error_codes: [code] } });
  });

  it('accepts the tenant domain name in the path, as Entra does', async () => {
    const reply = await h.postForm(form({}), { path: `/${h.registry.tenant.domain}/oauth2/v2.0/token` });
    expect(reply.status).toBe(200);
    expect((await v2.verify(reply.body.access_token as string)).tenantId).toBe(h.standin.tenantId);
  });

  it('answers a GET on the token endpoint with AADSTS900561', async () => {
    const reply = await h.get(`/${h.standin.tenantId}/oauth2/v2.0/token`);
    expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_request', error_codes: [900561] } });
  });

  it('accepts client_secret_basic (HTTP Basic, form-encoded parts) and issues the same kind of token', async () => {
    const basic = Buffer.from(`${encodeURIComponent(reader().clientId)}:${encodeURIComponent(reader().secret)}`).toString('base64');
    const reply = await h.postForm({ grant_type: 'client_credentials', scope: 'api://orders-api/.default' }, { headers: { authorization: `Basic ${basic}` } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const verified = await v2.verify(reply.body.access_token as string);
    expect(verified.clientAppId).toBe(reader().clientId);
    expect(verified.claims.roles).toEqual(['Orders.Read']);
  });

  it('refuses HTTP Basic with the wrong secret as AADSTS7000215', async () => {
    const basic = Buffer.from(`${reader().clientId}:not-the-secret-at-all`).toString('base64');
    const reply = await h.postForm({ grant_type: 'client_credentials', scope: 'api://orders-api/.default' }, { headers: { authorization: `Basic ${basic}` } });
    expect(reply).toMatchObject({ status: 401, body: { error: 'invalid_client', error_codes: [7000215] } });
  });

  it('issues a v1 token whose aud is the client ID when the scope names the API by client ID', async () => {
    const api = h.api('orders-api-v1');
    const reply = await h.postForm(form({ scope: `${api.clientId}/.default` }));
    const verified = await v1.verify(reply.body.access_token as string);
    expect(verified.claims.aud).toBe(api.clientId);
  });

  it('serves the v1 token endpoint (resource=) with Entra’s v1 response, the version still following the registration', async () => {
    const reply = await h.postForm(form({ scope: undefined, resource: 'api://orders-api' }), { path: `/${h.standin.tenantId}/oauth2/token` });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: 'Bearer', expires_in: '3599', resource: 'api://orders-api' });
    expect((await v2.verify(reply.body.access_token as string)).version).toBe('2.0');
  });
});

describe('discovery documents and key sets', () => {
  const tenant = () => h.standin.tenantId;

  it('serves the v2 document with the endpoints MSAL and this verifier read', async () => {
    const { status, body } = await h.get(`/${tenant()}/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    const base = `${h.standin.url}/${tenant()}`;
    expect(body).toMatchObject({
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('serves the v1 document with the sts.windows.net issuer and the tenant key URL', async () => {
    const { body } = await h.get(`/${tenant()}/.well-known/openid-configuration`);
    expect(body).toMatchObject({ issuer: `https://sts.windows.net/${tenant()}/`, jwks_uri: `${h.standin.url}/${tenant()}/discovery/keys`, token_endpoint: `${h.standin.url}/${tenant()}/oauth2/token` });
  });

  it.each(['common', 'organizations'])('serves the {tenantid} template forms for %s', async (alias) => {
    const v2Doc = await h.get(`/${alias}/v2.0/.well-known/openid-configuration`);
    const v1Doc = await h.get(`/${alias}/.well-known/openid-configuration`);
    const keys = await h.get(`/${alias}/discovery/v2.0/keys`);
    expect(v2Doc.body).toMatchObject({ issuer: `${h.standin.url}/{tenantid}/v2.0`, jwks_uri: `${h.standin.url}/${alias}/discovery/v2.0/keys` });
    expect(v1Doc.body).toMatchObject({ issuer: 'https://sts.windows.net/{tenantid}/' });
    expect(keys.body.keys).toEqual(expect.arrayContaining([expect.objectContaining({ issuer: `${h.standin.url}/{tenantid}/v2.0` })]));
  });

  it('publishes Entra-shaped keys: kid = x5t = the x5c certificate’s SHA-1 thumbprint, n/e of its public key; issuer on v2 keys only', async () => {
    const v2Keys = (await h.get(`/${tenant()}/discovery/v2.0/keys`)).body.keys as Record<string, unknown>[];
    const v1Keys = (await h.get(`/${tenant()}/discovery/keys`)).body.keys as Record<string, unknown>[];
    expect(v2Keys.length).toBeGreaterThan(0);
    for (const key of v2Keys) {
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig', e: 'AQAB', issuer: `${h.standin.url}/${tenant()}/v2.0` });
      const der = Buffer.from((key.x5c as string[])[0] ?? '', 'base64');
      const certificate = new X509Certificate(der);
      expect(key.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
      expect(key.kid).toBe(key.x5t);
      expect(certificate.publicKey.export({ format: 'jwk' })).toMatchObject({ n: key.n, e: key.e });
    }
    expect(v1Keys.map((key) => key.kid)).toEqual(v2Keys.map((key) => key.kid));
    expect(v1Keys.every((key) => !('issuer' in key))).toBe(true);
  });

  it('answers discovery for an unknown tenant with AADSTS90002 invalid_tenant', async () => {
    const reply = await h.get('/11111111-2222-4333-8444-555555555555/v2.0/.well-known/openid-configuration');
    expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_tenant', error_codes: [90002] } });
  });

  it('answers instance discovery for its own host only', async () => {
    const query = (endpoint: string) => `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(endpoint)}`;
    const own = await h.get(query(`${h.standin.authority}/oauth2/v2.0/authorize`));
    const host = new URL(h.standin.url).host;
    expect(own.body).toMatchObject({
      tenant_discovery_endpoint: `${h.standin.authority}/v2.0/.well-known/openid-configuration`,
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: expect.arrayContaining([host]) as unknown }],
    });
    const foreign = await h.get(query(`https://login.microsoftonline.com/${h.standin.tenantId}/oauth2/v2.0/authorize`));
    expect(foreign).toMatchObject({ status: 400, body: { error: 'invalid_instance', error_codes: [50049] } });
  });
});

describe('key rotation through the admin endpoint', () => {
  it('publishes a new key beside the old one: new tokens carry the new kid, old and new tokens both verify', async () => {
    let nowMs = Date.now();
    const longLived = h.verifierFor('orders-api', { now: () => nowMs });
    const before = await h.token('reader', 'orders-api');
    const beforeV1 = await h.token('writer', 'orders-api-v1');
    await longLived.verify(before);
    const oldKid = readJwt(before).header.kid;

    const rotation = await h.fetch(`${h.standin.url}/_standin/rotate-keys`, { method: 'POST' });
    expect(rotation.status).toBe(200);
    const { kid, kids } = (await rotation.json()) as { kid: string; kids: string[] };
    expect(kid).not.toBe(oldKid);
    expect(kids).toEqual([kid, oldKid]);

    const after = await h.token('reader', 'orders-api');
    expect(readJwt(after).header.kid).toBe(kid);

    // A verifier that has never seen the key set gets both keys.
    const fresh = h.verifierFor('orders-api', { cacheSize: 0 });
    expect((await fresh.verify(before)).kid).toBe(oldKid);
    expect((await fresh.verify(after)).kid).toBe(kid);
    expect((await h.verifierFor('orders-api-v1', { cacheSize: 0 }).verify(beforeV1)).kid).toBe(oldKid);

    // One that cached the old set picks the new kid up once its unknown-kid cooldown has passed.
    nowMs += 6 * 60_000;
    expect((await longLived.verify(after)).kid).toBe(kid);
    expect((await longLived.verify(before)).kid).toBe(oldKid);
  });

  it('refuses admin requests that come from a browser page (Origin header)', async () => {
    const reply = await h.fetch(`${h.standin.url}/_standin/rotate-keys`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(reply.status).toBe(403);
  });
});
