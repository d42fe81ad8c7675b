import { createSign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createEntraAuth, anyOf } from 'azure-functions-entra-auth';
import { invoke, startLocalEntra, type LocalEntra } from '../src/testing/localEntra';
import { obtainAccessToken } from '../src/standin/obtainAccessToken';
import { parseTokenCliOptions } from '../src/standin/cliOptions';
import { launchEntraStandin } from '../src/standin/standinState';
import { createCaTrustingFetch } from '../src/tls/caTrustingFetch';
import { SigningKeyStore } from '../src/standin/signingKeys';
import { signingKeyFile } from '../src/standin/devPaths';

/**
 * Issue 22 item 4: the stand-in's External ID and B2C tenants sign with keys of their own,
 * as the real services do, so a local run exercises "verified only with that authority's
 * keys"; External ID daemons get tokens from its own token endpoint; and any token shape
 * (another authority, a user, chosen claims) comes from the stand-in, for the CLI too.
 */

let kit: LocalEntra;
let stateDir: string;
beforeAll(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), 'standin-authority-keys-')), 'state');
  kit = await startLocalEntra({ stateDir });
});
afterAll(async () => {
  await kit.stop();
  await rm(dirname(stateDir), { recursive: true, force: true });
});

/** The stand-in's External ID tenant (local.entra.json externalIdTenant): a tenant of its own. */
const CIAM_TENANT = 'de700000-0000-4000-8000-000000000002';
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

async function keySet(path: string): Promise<string[]> {
  const response = await createCaTrustingFetch(kit.caPem)(`${kit.url}${path}`);
  const body = (await response.json()) as { keys: { kid: string }[] };
  return body.keys.map((key) => key.kid);
}

function threeAuthorityHandler() {
  const auth = createEntraAuth({ env: kit.authoritySettings('orders-api') });
  return auth.withAuth((_request, _context, principal) => ({ status: 200, jsonBody: { authority: principal.authority, roles: principal.roles } }), {
    GET: { appRoles: anyOf('Orders.Read', 'Orders.ReadWrite'), scopes: anyOf('Orders.Read', 'Orders.ReadWrite') },
  });
}
const call = (token: string) => invoke(threeAuthorityHandler(), { method: 'GET', url: 'https://localhost/api/orders', headers: { authorization: `Bearer ${token}` } });

it('publishes a separate key set for each authority kind: no kid is shared', async () => {
  const workforce = await keySet(`/${kit.tenantId}/discovery/v2.0/keys`);
  const externalId = await keySet(`/_ciam/${kit.registry.externalIdTenant.id}/discovery/v2.0/keys`);
  const b2c = await keySet(`/_b2c/${kit.registry.b2cTenant.domain}/b2c_1_signupsignin/discovery/v2.0/keys`);
  expect(workforce).toEqual(kit.standin.signingKids('workforce'));
  expect(externalId).toEqual(kit.standin.signingKids('externalId'));
  expect(b2c).toEqual(kit.standin.signingKids('b2c'));
  const all = [...workforce, ...externalId, ...b2c];
  expect(new Set(all).size).toBe(all.length);

  // Each token names its own authority's current key.
  expect(headerOf(await kit.token({ api: 'orders-api', authority: 'externalId' })).kid).toBe(externalId[0]);
  expect(headerOf(await kit.token({ api: 'orders-api', kind: 'delegated', scopes: ['Orders.Read'], authority: 'b2c' })).kid).toBe(b2c[0]);
});

it('refuses an External ID token signed with a workforce key, though that key is genuine and published', async () => {
  const honest = await kit.token({ api: 'orders-api', authority: 'externalId' });
  expect((await call(honest)).status).toBe(200);

  // Re-sign the very same claims with the workforce tenant's key, under its kid.
  const workforceKey = (await SigningKeyStore.open({ file: signingKeyFile(stateDir, 'workforce') })).active;
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: workforceKey.kid })).toString('base64url');
  const body = honest.split('.')[1] ?? '';
  const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(workforceKey.privateKey).toString('base64url');
  const forged = `${header}.${body}.${signature}`;
  const answer = await call(forged);
  expect(answer.status).toBe(401);
  expect(answer.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  expect(answer.body).toMatchObject({ code: 'key_not_found' });
});

it('serves the External ID tenant its own client_credentials endpoint: ciamlogin issuer, v2, the roles, signed with its keys', async () => {
  const writer = kit.registry.clientByName('writer');
  if (!writer) throw new Error('no writer in the registry');
  const fetch = createCaTrustingFetch(kit.caPem);
  const response = await fetch(`${kit.url}/_ciam/${CIAM_TENANT}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: writer.clientId, client_secret: writer.secret, scope: 'api://orders-api-v1/.default' }),
  });
  expect(response.status).toBe(200);
  const { access_token: token } = (await response.json()) as { access_token: string };
  // orders-api-v1 asks for v1 tokens from the workforce tenant; External ID issues v2 only.
  expect(payloadOf(token)).toMatchObject({ iss: `https://${CIAM_TENANT}.ciamlogin.com/${CIAM_TENANT}/v2.0`, tid: CIAM_TENANT, ver: '2.0', azp: writer.clientId, idtyp: 'app' });
  expect(headerOf(token).kid).toBe(kit.standin.signingKids('externalId')[0]);

  // On-behalf-of is the workforce endpoint's, not this one's.
  const obo = await fetch(`${kit.url}/_ciam/${CIAM_TENANT}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', client_id: writer.clientId, client_secret: writer.secret, assertion: token, requested_token_use: 'on_behalf_of', scope: 'api://orders-api/Orders.Read' }),
  });
  expect(obo.status).toBe(400);
  expect(((await obo.json()) as { error: string }).error).toBe('unsupported_grant_type');
});

it('rotates one authority kind\'s keys without touching the others', async () => {
  const before = { workforce: kit.standin.signingKids('workforce'), b2c: kit.standin.signingKids('b2c') };
  const rotation = await kit.standin.rotateKeys('externalId');
  expect(rotation.authority).toBe('externalId');
  expect(kit.standin.signingKids('externalId')[0]).toBe(rotation.kid);
  expect(kit.standin.signingKids('workforce')).toEqual(before.workforce);
  expect(kit.standin.signingKids('b2c')).toEqual(before.b2c);
  expect(headerOf(await kit.token({ api: 'orders-api', authority: 'externalId' })).kid).toBe(rotation.kid);
});

describe('/_standin/tokens (dev only)', () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    createCaTrustingFetch(kit.caPem)(`${kit.url}/_standin/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('issues the shaped token: a B2C user token with a chosen claim, null removing another', async () => {
    const response = await post({ api: 'orders-api', kind: 'delegated', scopes: ['Orders.Read'], authority: 'b2c', userFlow: 'B2C_1_signin', claims: { extension_tier: 'gold', name: null } });
    expect(response.status).toBe(200);
    const payload = payloadOf(((await response.json()) as { access_token: string }).access_token);
    expect(payload).toMatchObject({ tfp: 'B2C_1_signin', ver: '1.0', scp: 'Orders.Read', extension_tier: 'gold' });
    expect(payload).not.toHaveProperty('name');
    expect(payload).not.toHaveProperty('tid');
  });

  it.each([
    ['not JSON', '{', /must be JSON/],
    ['an unknown field', { api: 'orders-api', issuer: 'https://evil.example' }, /issuer|Unrecognized/i],
    ['an unknown authority kind', { api: 'orders-api', authority: 'adfs' }, /authority/],
    ['an unknown API', { api: 'payroll' }, /no API named payroll/],
    ['a delegated token without scopes', { api: 'orders-api', kind: 'delegated' }, /needs scopes/],
    ['a malformed user flow', { api: 'orders-api', authority: 'b2c', userFlow: '../x' }, /userFlow/],
  ])('answers 400 naming the problem for %s', async (_case, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(message);
  });

  it('refuses a browser (cross-origin) request, as every admin endpoint does', async () => {
    expect((await post({ api: 'orders-api' }, { origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('entra-dev token for each authority kind', () => {
  it('parses --authority, --user --scope, --user-flow and --claim, and refuses what does not fit', () => {
    const options = parseTokenCliOptions(['--client', 'reader', '--authority', 'b2c', '--user', '--scope', 'Orders.Read Orders.ReadWrite', '--user-flow', 'B2C_1_signin', '--claim', 'acrs=["c1"]', '--claim', 'idtyp=user'], {});
    expect(options).toMatchObject({ authority: 'b2c', userScopes: ['Orders.Read', 'Orders.ReadWrite'], userFlow: 'B2C_1_signin', claims: { acrs: ['c1'], idtyp: 'user' } });
    expect(() => parseTokenCliOptions(['--client', 'reader', '--authority', 'adfs'], {})).toThrow(/--authority must be workforce, externalId or b2c/);
    expect(() => parseTokenCliOptions(['--client', 'reader', '--user'], {})).toThrow(/--user needs/);
    expect(() => parseTokenCliOptions(['--client', 'reader', '--scope', 'Orders.Read'], {})).toThrow(/add --user/);
    expect(() => parseTokenCliOptions(['--client', 'reader', '--user-flow', 'B2C_1_x'], {})).toThrow(/--authority b2c/);
    expect(() => parseTokenCliOptions(['--client', 'reader', '--claim', 'novalue'], {})).toThrow(/<name>=<value>/);
  });

  it('gets each kind from a running stand-in, and the app verifies each by its own authority', async () => {
    const launched = await launchEntraStandin({ stateDir, port: 0 });
    try {
      const get = (shape: NonNullable<Parameters<typeof obtainAccessToken>[0]['shape']>, clientName = 'writer') =>
        obtainAccessToken({ stateDir, clientName, apiName: 'orders-api', port: launched.standin.port, shape }).then((token) => token.accessToken);
      const customerDaemon = await get({ authority: 'externalId' });
      const legacyUser = await get({ authority: 'b2c', kind: 'delegated', scopes: ['Orders.Read'] }, 'reader');
      const steppedUp = await get({ kind: 'delegated', scopes: ['Orders.Read'], claims: { acrs: ['c1'] } }, 'reader');
      expect(payloadOf(customerDaemon)).toMatchObject({ iss: `https://${CIAM_TENANT}.ciamlogin.com/${CIAM_TENANT}/v2.0`, tid: CIAM_TENANT, roles: ['Orders.ReadWrite'] });
      expect(payloadOf(legacyUser)).toMatchObject({ tfp: 'B2C_1_signupsignin', scp: 'Orders.Read' });
      expect(payloadOf(steppedUp)).toMatchObject({ acrs: ['c1'], scp: 'Orders.Read' });

      const auth = createEntraAuth({ env: { ...kit.authoritySettings('orders-api'), AUTH_AUTHORITIES: kit.authoritySettings('orders-api').AUTH_AUTHORITIES?.replaceAll(kit.url, launched.standin.url) ?? '' } });
      const handler = auth.withAuth((_request, _context, principal) => ({ status: 200, jsonBody: { authority: principal.authority } }), { GET: { appRoles: anyOf('Orders.ReadWrite'), scopes: anyOf('Orders.Read') } });
      const authorityOf = async (token: string) => (await invoke(handler, { method: 'GET', url: 'https://localhost/api/orders', headers: { authorization: `Bearer ${token}` } })).body;
      expect(await authorityOf(customerDaemon)).toEqual({ authority: 'customers' });
      expect(await authorityOf(legacyUser)).toEqual({ authority: 'legacyCustomers' });
      expect(await authorityOf(steppedUp)).toEqual({ authority: 'employees' });
    } finally {
      await launched.stop();
    }
  });
});
