import { createAuthorityVerifier, type AuthorityVerifier } from '../../src/authorities/createAuthorityVerifier';
import { principalFrom } from '../../src/authz/principal';
import { loadAuthSettings } from '../../src/settings/authSettings';
import { accessTokenClaims, createTestKey, signToken, CALLER_APP, TENANT, type TestKey } from '../support/entraTokens';
import { FakeAuthorities } from '../support/fakeAuthorities';
import { outcome } from '../support/verifierHarness';

/**
 * Issue 22 item 1: several authorities in one app. A token is routed to its authority by
 * its exact `iss` before any key is looked up, and verified only with that authority's
 * keys. Real RSA keys, real HTTP on 127.0.0.1.
 */

const EMPLOYEES_API = '11111111-1111-4111-8111-111111111111';
const CUSTOMERS_TENANT = '22222222-2222-4222-8222-222222222222';
const CUSTOMERS_API = '33333333-3333-4333-8333-333333333333';
const B2C_TENANT = '44444444-4444-4444-8444-444444444444';
const B2C_API = '55555555-5555-4555-8555-555555555555';
const STRANGER_TENANT = '66666666-6666-4666-8666-666666666666';

const AUTHORITIES = [
  { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: EMPLOYEES_API, appIdUri: 'api://orders-api' },
  { name: 'customers', kind: 'externalId', tenantId: CUSTOMERS_TENANT, tenantName: 'contosocustomers', clientId: CUSTOMERS_API },
  { name: 'legacyCustomers', kind: 'b2c', tenantId: B2C_TENANT, tenantName: 'contosob2c', clientId: B2C_API, userFlows: ['B2C_1_signupsignin', 'B2C_1A_strong'] },
];

const CIAM_ISSUER = `https://${CUSTOMERS_TENANT}.ciamlogin.com/${CUSTOMERS_TENANT}/v2.0`;
const B2C_ISSUER = `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/`;

let authorities: FakeAuthorities;
let keys: { employees: TestKey; customers: TestKey; customersViaMicrosoftOnline: TestKey; b2c: TestKey; b2cStrong: TestKey };
let verifier: AuthorityVerifier;

function newVerifier(): AuthorityVerifier {
  const settings = loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(AUTHORITIES) });
  return createAuthorityVerifier(settings, { fetch: authorities.fetch });
}

beforeAll(async () => {
  keys = {
    employees: createTestKey('employees-key'),
    customers: createTestKey('customers-key'),
    customersViaMicrosoftOnline: createTestKey('customers-mso-key'),
    b2c: createTestKey('b2c-key'),
    b2cStrong: createTestKey('b2c-strong-key'),
  };
  authorities = await new FakeAuthorities()
    .workforce(TENANT, [keys.employees.publicJwk])
    .externalId('contosocustomers', CUSTOMERS_TENANT, [keys.customers.publicJwk])
    .workforce(CUSTOMERS_TENANT, [keys.customersViaMicrosoftOnline.publicJwk])
    .b2cUserFlow('contosob2c', B2C_TENANT, 'B2C_1_signupsignin', [keys.b2c.publicJwk])
    .b2cUserFlow('contosob2c', B2C_TENANT, 'B2C_1A_strong', [keys.b2cStrong.publicJwk])
    .start();
});
afterAll(() => authorities.stop());
beforeEach(() => {
  authorities.requests.length = 0;
  verifier = newVerifier();
});

/** An External ID user token, as the ciamlogin host issues it. */
const customerClaims = (overrides: Record<string, unknown> = {}) =>
  accessTokenClaims({ kind: 'delegated', tenant: CUSTOMERS_TENANT, scp: 'Orders.Read', claims: { aud: CUSTOMERS_API, iss: CIAM_ISSUER, ...overrides } });

/** A B2C access token: no tid, ver 1.0, azp, the user flow in tfp, aud the client ID. */
const b2cClaims = (overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: B2C_ISSUER,
    aud: B2C_API,
    exp: now + 3600,
    nbf: now - 5,
    iat: now - 5,
    sub: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918',
    oid: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918',
    tfp: 'B2C_1_signupsignin',
    scp: 'Orders.Read',
    azp: CALLER_APP,
    ver: '1.0',
    ...overrides,
  };
};

describe('tokens of each configured authority', () => {
  it('verifies a workforce token with the workforce key set, and the principal names the authority', async () => {
    const token = await signToken(keys.employees, accessTokenClaims({ claims: { aud: EMPLOYEES_API } }));
    const principal = principalFrom(await verifier.verify(token));
    expect(principal).toMatchObject({ authority: 'employees', authorityKind: 'workforce', userFlow: undefined, tenantId: TENANT });
    expect(authorities.count('ciamlogin')).toBe(0);
    expect(authorities.count('b2clogin')).toBe(0);
  });

  it('verifies an External ID token whose issuer host label is the tenant GUID, with the key set of {tenant-name}.ciamlogin.com', async () => {
    const principal = principalFrom(await verifier.verify(await signToken(keys.customers, customerClaims())));
    expect(principal).toMatchObject({ authority: 'customers', authorityKind: 'externalId', tenantId: CUSTOMERS_TENANT });
    expect(authorities.requests).toEqual([
      `https://contosocustomers.ciamlogin.com/${CUSTOMERS_TENANT}/v2.0/.well-known/openid-configuration`,
      `https://contosocustomers.ciamlogin.com/${CUSTOMERS_TENANT}/discovery/v2.0/keys`,
    ]);
  });

  it("verifies the same tenant's token issued through login.microsoftonline.com with that host's own key set", async () => {
    const claims = customerClaims({ iss: `https://login.microsoftonline.com/${CUSTOMERS_TENANT}/v2.0` });
    const principal = principalFrom(await verifier.verify(await signToken(keys.customersViaMicrosoftOnline, claims)));
    expect(principal.authority).toBe('customers');
    expect(authorities.count('ciamlogin')).toBe(0);
  });

  it('verifies a B2C token (no tid, ver 1.0) with its user flow key set, and names authority and user flow', async () => {
    const principal = principalFrom(await verifier.verify(await signToken(keys.b2c, b2cClaims())));
    expect(principal).toMatchObject({ authority: 'legacyCustomers', authorityKind: 'b2c', userFlow: 'B2C_1_signupsignin', tenantId: B2C_TENANT, clientAppId: CALLER_APP });
    expect(authorities.requests.every((url) => url.includes('/b2c_1_signupsignin/'))).toBe(true);
  });

  it('reads the user flow case-insensitively and from the legacy acr claim', async () => {
    const principal = principalFrom(await verifier.verify(await signToken(keys.b2cStrong, b2cClaims({ tfp: undefined, acr: 'b2c_1a_STRONG' }))));
    expect(principal.userFlow).toBe('B2C_1A_strong');
  });
});

describe('issuer confusion across authorities', () => {
  it("refuses a token with authority A's issuer signed with a key only authority B publishes (key_not_found), never reading B's keys", async () => {
    const token = await signToken(keys.employees, customerClaims());
    expect(await outcome(verifier, token)).toBe('key_not_found');
    expect(authorities.count(`${TENANT}/discovery`)).toBe(0);
  });

  it("refuses a token with authority A's issuer signed with B's key under a kid A also publishes (signature_invalid)", async () => {
    const impostor = { ...keys.employees, kid: 'customers-key' };
    expect(await outcome(verifier, await signToken(impostor, customerClaims()))).toBe('signature_invalid');
  });

  it("refuses one B2C user flow's token signed with another user flow's key", async () => {
    expect(await outcome(verifier, await signToken(keys.b2cStrong, b2cClaims()))).toBe('key_not_found');
  });

  it('refuses a B2C token carrying a workforce issuer: it is held to every workforce rule (no tid), signed by a B2C key or not', async () => {
    const claims = b2cClaims({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, aud: EMPLOYEES_API });
    expect(await outcome(verifier, await signToken(keys.b2c, claims))).toBe('claim_invalid');
    expect(await outcome(verifier, await signToken(keys.b2c, { ...claims, tid: TENANT, ver: '2.0' }))).toBe('key_not_found');
  });

  it('refuses a ciamlogin token for a tenant not configured, before fetching anything', async () => {
    const claims = customerClaims({ iss: `https://${STRANGER_TENANT}.ciamlogin.com/${STRANGER_TENANT}/v2.0`, tid: STRANGER_TENANT });
    expect(await outcome(verifier, await signToken(keys.customers, claims))).toBe('issuer_mismatch');
    expect(authorities.requests).toEqual([]);
  });

  it("refuses a ciamlogin issuer whose host label is the tenant's name rather than its GUID", async () => {
    const claims = customerClaims({ iss: `https://contosocustomers.ciamlogin.com/${CUSTOMERS_TENANT}/v2.0` });
    expect(await outcome(verifier, await signToken(keys.customers, claims))).toBe('issuer_mismatch');
    expect(authorities.requests).toEqual([]);
  });

  it.each([
    ['a look-alike domain', `https://contosob2c.fakeb2clogin.com/${B2C_TENANT}/v2.0/`],
    ['the real host as a prefix of another', `https://contosob2c.b2clogin.com.evil.example/${B2C_TENANT}/v2.0/`],
    ['the real issuer inside another URL', `https://evil.example/https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/`],
    ['a subdomain of the real host', `https://evil.contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/`],
    ['no trailing slash', `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0`],
    ['another letter case', `https://ContosoB2C.b2clogin.com/${B2C_TENANT}/v2.0/`],
    ['an extra path segment', `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/x`],
    ['the tfp issuer form', `https://contosob2c.b2clogin.com/tfp/${B2C_TENANT}/b2c_1_signupsignin/v2.0/`],
    ['a query string', `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/?x=1`],
  ])('refuses an issuer with %s, before fetching anything', async (_name, iss) => {
    expect(await outcome(verifier, await signToken(keys.b2c, b2cClaims({ iss })))).toBe('issuer_mismatch');
    expect(authorities.requests).toEqual([]);
  });

  it.each([
    ['a workforce issuer for another tenant', (c: Record<string, unknown>) => ({ ...c, iss: `https://login.microsoftonline.com/${STRANGER_TENANT}/v2.0`, tid: STRANGER_TENANT })],
    ['a workforce issuer with the tenant upper-cased', (c: Record<string, unknown>) => ({ ...c, iss: `https://login.microsoftonline.com/${TENANT.toUpperCase()}/v2.0` })],
    ['an issuer that is not a string', (c: Record<string, unknown>) => ({ ...c, iss: ['https://login.microsoftonline.com'] })],
  ])('refuses %s before fetching anything', async (_name, change) => {
    const code = await outcome(verifier, await signToken(keys.employees, change(accessTokenClaims({ claims: { aud: EMPLOYEES_API } }))));
    expect(['issuer_mismatch', 'claim_invalid']).toContain(code);
    expect(authorities.requests).toEqual([]);
  });

  it('refuses a B2C token naming a user flow not configured, or none', async () => {
    expect(await outcome(verifier, await signToken(keys.b2c, b2cClaims({ tfp: 'B2C_1_other' })))).toBe('issuer_mismatch');
    expect(await outcome(verifier, await signToken(keys.b2c, b2cClaims({ tfp: undefined })))).toBe('claim_invalid');
    expect(authorities.requests).toEqual([]);
  });

  it("refuses a B2C token for another audience (aud is this authority's client ID)", async () => {
    expect(await outcome(verifier, await signToken(keys.b2c, b2cClaims({ aud: EMPLOYEES_API })))).toBe('audience_mismatch');
  });

  it('refuses every token of a B2C user flow whose discovery document names another issuer (keys_unavailable: fail closed)', async () => {
    const odd = await new FakeAuthorities().b2cUserFlow('contosob2c', B2C_TENANT, 'B2C_1_signupsignin', [keys.b2c.publicJwk], `https://contosob2c.b2clogin.com/tfp/${B2C_TENANT}/b2c_1_signupsignin/v2.0/`).start();
    try {
      const settings = loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify([AUTHORITIES[2]]) });
      const b2cOnly = createAuthorityVerifier(settings, { fetch: odd.fetch });
      expect(await outcome(b2cOnly, await signToken(keys.b2c, b2cClaims()))).toBe('keys_unavailable');
    } finally {
      await odd.stop();
    }
  });

  it('answers a repeated token from the cache with the authority that verified it (each entry bound to its key source)', async () => {
    const customer = await signToken(keys.customers, customerClaims());
    const employee = await signToken(keys.employees, accessTokenClaims({ claims: { aud: EMPLOYEES_API } }));
    for (let i = 0; i < 3; i++) {
      expect((await verifier.verify(customer)).authority.name).toBe('customers');
      expect((await verifier.verify(employee)).authority.name).toBe('employees');
    }
  });

  it("refuses a cached token once its own authority withdraws the key, though another authority still publishes that very key", async () => {
    const shared = createTestKey('shared-key');
    const replacement = createTestKey('replacement-key');
    const both = await new FakeAuthorities()
      .workforce(TENANT, [shared.publicJwk])
      .externalId('contosocustomers', CUSTOMERS_TENANT, [shared.publicJwk])
      .start();
    try {
      const clock = { now: Date.now() };
      const settings = loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(AUTHORITIES.slice(0, 2).map((a) => ({ ...a, ...(a.kind === 'externalId' && { acceptMicrosoftOnlineIssuer: false }) }))) });
      const routed = createAuthorityVerifier(settings, { fetch: both.fetch, now: () => clock.now });
      const customerToken = await signToken(shared, customerClaims());
      const employeeToken = await signToken(shared, accessTokenClaims({ claims: { aud: EMPLOYEES_API } }));
      for (let i = 0; i < 3; i++) expect(await outcome(routed, customerToken)).toBe('ok');

      // The customers authority rolls the key over; the employees authority still publishes it.
      both.serve(`https://contosocustomers.ciamlogin.com/${CUSTOMERS_TENANT}/discovery/v2.0/keys`, { keys: [replacement.publicJwk] });
      clock.now += 31_000;
      expect(await outcome(routed, await signToken(replacement, customerClaims()))).toBe('ok');

      expect(await outcome(routed, customerToken)).toBe('key_not_found');
      expect(await outcome(routed, employeeToken)).toBe('ok');
    } finally {
      await both.stop();
    }
  });
});
