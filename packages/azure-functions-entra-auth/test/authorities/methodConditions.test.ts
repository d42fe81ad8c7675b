import type { HttpHandler } from '@azure/functions';
import { createAuthorityVerifier } from '../../src/authorities/createAuthorityVerifier';
import { ANY_VALID_TOKEN, anyOf, defineAuthPolicy, type AuthPolicy } from '../../src/authz/authPolicy';
import { claimContainsAll, claimContainsAny, claimEquals, claimPresent } from '../../src/authz/claimRules';
import type { Principal } from '../../src/authz/principal';
import { createGuard, methodsOf } from '../../src/functions/withAuth';
import { loadAuthSettings, type AuthSettings } from '../../src/settings/authSettings';
import { RecordingObserver } from '../support/authFixture';
import { accessTokenClaims, createTestKey, signToken, CALLER_APP, TENANT, type TestKey } from '../support/entraTokens';
import { FakeAuthorities } from '../support/fakeAuthorities';
import { invokeHttp } from '../support/invokeHttp';

/**
 * Issue 22 items 1–3 at the guard: which authorities a method accepts, claim rules, and
 * step-up by claims challenge. Real tokens, real verifier, real HTTP key endpoints.
 */

const EMPLOYEES_API = '11111111-1111-4111-8111-111111111111';
const CUSTOMERS_TENANT = '22222222-2222-4222-8222-222222222222';
const CUSTOMERS_API = '33333333-3333-4333-8333-333333333333';
const B2C_TENANT = '44444444-4444-4444-8444-444444444444';
const B2C_API = '55555555-5555-4555-8555-555555555555';
const REALM = 'api://orders-api';
const AUTHORITIES = [
  { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: EMPLOYEES_API, appIdUri: REALM },
  { name: 'customers', kind: 'externalId', tenantId: CUSTOMERS_TENANT, tenantName: 'contosocustomers', clientId: CUSTOMERS_API },
  { name: 'legacyCustomers', kind: 'b2c', tenantId: B2C_TENANT, tenantName: 'contosob2c', clientId: B2C_API, userFlows: ['B2C_1_signupsignin'] },
];
const C1_CHALLENGE_CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19';

let authorities: FakeAuthorities;
let settings: AuthSettings;
let keys: { employees: TestKey; customers: TestKey; b2c: TestKey };
let observer: RecordingObserver;
let guard: (policy: AuthPolicy) => HttpHandler;
let seen: Principal[];

beforeAll(async () => {
  keys = { employees: createTestKey('employees-key'), customers: createTestKey('customers-key'), b2c: createTestKey('b2c-key') };
  authorities = await new FakeAuthorities()
    .workforce(TENANT, [keys.employees.publicJwk])
    .externalId('contosocustomers', CUSTOMERS_TENANT, [keys.customers.publicJwk])
    .b2cUserFlow('contosob2c', B2C_TENANT, 'B2C_1_signupsignin', [keys.b2c.publicJwk])
    .start();
  settings = loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(AUTHORITIES) });
  const verifier = createAuthorityVerifier(settings, { fetch: authorities.fetch });
  observer = new RecordingObserver();
  const build = createGuard({ verifier, observer, realm: REALM, authorize: { authorities: settings.authorities } });
  guard = (policy) => {
    const checked = defineAuthPolicy(policy, undefined, settings.authorities);
    return build(
      methodsOf(checked, () => (_request, _context, principal) => {
        seen.push(principal);
        return { status: 200, jsonBody: { authority: principal.authority } };
      }),
    );
  };
});
afterAll(() => authorities.stop());
beforeEach(() => {
  seen = [];
  observer.failures.length = 0;
  observer.successes.length = 0;
});

const employeeApp = (claims: Record<string, unknown> = {}) => signToken(keys.employees, accessTokenClaims({ claims: { aud: EMPLOYEES_API, ...claims } }));
const employeeUser = (claims: Record<string, unknown> = {}) => signToken(keys.employees, accessTokenClaims({ kind: 'delegated', scp: 'Orders.Read', claims: { aud: EMPLOYEES_API, ...claims } }));
const customer = (claims: Record<string, unknown> = {}) =>
  signToken(
    keys.customers,
    accessTokenClaims({ kind: 'delegated', tenant: CUSTOMERS_TENANT, scp: 'Orders.Read', claims: { aud: CUSTOMERS_API, iss: `https://${CUSTOMERS_TENANT}.ciamlogin.com/${CUSTOMERS_TENANT}/v2.0`, ...claims } }),
  );
const b2cCustomer = (claims: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return signToken(keys.b2c, {
    iss: `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/`,
    aud: B2C_API,
    exp: now + 3600,
    nbf: now - 5,
    iat: now - 5,
    sub: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2918',
    tfp: 'B2C_1_signupsignin',
    scp: 'Orders.Read',
    azp: CALLER_APP,
    ver: '1.0',
    ...claims,
  });
};
const call = async (handler: HttpHandler, token: string) => invokeHttp(handler, { headers: { authorization: `Bearer ${token}` } });

const READ = { appRoles: anyOf('Orders.Read'), scopes: anyOf('Orders.Read') };

describe('the authorities a method accepts', () => {
  it('accepts tokens of every configured authority by default, and hands the handler the authority', async () => {
    const handler = guard({ GET: READ });
    for (const token of [await employeeApp(), await customer(), await b2cCustomer()]) expect((await call(handler, token)).status).toBe(200);
    expect(seen.map((p) => [p.authority, p.userFlow])).toEqual([['employees', undefined], ['customers', undefined], ['legacyCustomers', 'B2C_1_signupsignin']]);
    expect(observer.successes.map((event) => event.authority)).toEqual(['employees', 'customers', 'legacyCustomers']);
    expect(observer.successes[2]?.userFlow).toBe('B2C_1_signupsignin');
  });

  it('refuses a valid token of an authority the method does not name with 401 authority_not_accepted, and runs no handler', async () => {
    const handler = guard({ GET: { ...READ, authorities: ['employees'] }, POST: { ...READ, authorities: ['customers', 'legacyCustomers'] } });
    const response = await call(handler, await customer());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'authority_not_accepted' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="api:\/\/orders-api", error="invalid_token"/);
    expect(observer.failures[0]).toMatchObject({ code: 'authority_not_accepted', check: 'policy.authority', authority: 'customers', tenantId: CUSTOMERS_TENANT });
    expect(seen).toEqual([]);
    expect((await invokeHttp(handler, { method: 'POST', headers: { authorization: `Bearer ${await customer()}` } })).status).toBe(200);
    expect((await invokeHttp(handler, { method: 'POST', headers: { authorization: `Bearer ${await employeeApp()}` } })).status).toBe(401);
  });

  it('accepts only the kinds of authority a method names (authorityKinds), whatever the authorities are called', async () => {
    const handler = guard({ GET: { ...READ, authorityKinds: ['workforce'] }, POST: { ...READ, authorityKinds: ['externalId', 'b2c'] } });
    expect((await call(handler, await employeeApp())).status).toBe(200);
    const refused = await call(handler, await customer());
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'authority_not_accepted' });
    expect(observer.failures.at(-1)).toMatchObject({ code: 'authority_not_accepted', check: 'policy.authority_kind', authority: 'customers' });
    expect((await call(handler, await b2cCustomer())).status).toBe(401);
    expect((await invokeHttp(handler, { method: 'POST', headers: { authorization: `Bearer ${await b2cCustomer()}` } })).status).toBe(200);
    expect((await invokeHttp(handler, { method: 'POST', headers: { authorization: `Bearer ${await employeeUser()}` } })).status).toBe(401);
    expect(seen.map((p) => p.authority)).toEqual(['employees', 'legacyCustomers']);
  });

  it('applies to ANY_VALID_TOKEN rules too', async () => {
    const handler = guard({ GET: { ...ANY_VALID_TOKEN, authorities: ['legacyCustomers'] } });
    expect((await call(handler, await b2cCustomer())).status).toBe(200);
    expect((await call(handler, await employeeApp())).status).toBe(401);
  });
});

describe('claim rules', () => {
  it.each<[string, ReturnType<typeof claimPresent>, Record<string, unknown>, Record<string, unknown>]>([
    ['present', claimPresent('xms_cc'), { xms_cc: ['CP1'] }, { xms_cc: [], idtyp: 'user-secret-marker' }],
    ['equals one of', claimEquals('idtyp', 'user'), { idtyp: 'user' }, { idtyp: 'device' }],
    ['equals one of (a custom string claim)', claimEquals('extension_tier', 'gold', 'platinum'), { extension_tier: 'platinum' }, { extension_tier: 'silver' }],
    ['contains any of (an array)', claimContainsAny('wids', '62e90394-69f5-4237-9190-012177145e10', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'), { wids: ['x', 'f2ef992c-3afb-46b9-b7cf-a126ee74c451'] }, { wids: ['b79fbf4d-3ef9-4689-8143-76b194e85509'] }],
    ['contains all of (an array)', claimContainsAll('groups', 'g1', 'g2'), { groups: ['g2', 'g3', 'g1'] }, { groups: ['g1', 'secret-group'] }],
    ['contains all of (a space-separated string)', claimContainsAll('scp', 'Orders.Read', 'Orders.Export'), { scp: 'Orders.Read Orders.Export' }, { scp: 'Orders.Read Orders.Private' }],
    ['contains any of, against a value of the wrong shape', claimContainsAny('groups', 'g1'), { groups: ['g1'] }, { groups: [1, 'g1', 'secret-group'] }],
  ])('%s: passes when met, 403 claim_required naming the claim (not its values) when not', async (_name, rule, good, bad) => {
    const handler = guard({ GET: { scopes: anyOf('Orders.Read', 'Orders.Export'), claims: [rule] } });
    expect((await call(handler, await employeeUser(good))).status).toBe(200);
    const response = await call(handler, await employeeUser(bad));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'claim_required', claim: rule.claim, detail: 'The access token lacks a claim value this operation requires.' });
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="insufficient_scope", error_description="The access token lacks a claim value this operation requires."`,
    );
    expect(observer.failures.at(-1)).toMatchObject({ code: 'claim_required', check: `claim_rule.${rule.claim}`, authority: 'employees' });
    const answered = JSON.stringify(response.body) + JSON.stringify(observer.failures);
    // The token's own values never travel (the rule's, the policy's, may in the log message).
    const own = Object.values(bad).flat().filter((value): value is string => typeof value === 'string' && !JSON.stringify(rule).includes(value));
    for (const value of own) expect(answered).not.toContain(value);
  });

  it('refuses a groups overage (_claim_names or hasgroups) with its own code, never reading it as "no groups"', async () => {
    const handler = guard({ GET: { scopes: anyOf('Orders.Read'), claims: [claimContainsAny('groups', 'g1')] } });
    for (const overage of [{ _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/x/getMemberObjects' } } }, { hasgroups: true }]) {
      const response = await call(handler, await employeeUser(overage));
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'groups_overage', claim: 'groups' });
      expect(response.headers.get('www-authenticate')).toBeNull();
    }
  });

  it('reads a B2C custom attribute (extension_*) on a B2C route', async () => {
    const handler = guard({ GET: { scopes: anyOf('Orders.Read'), authorities: ['legacyCustomers'], claims: [claimEquals('extension_loyalty', 'gold')] } });
    expect((await call(handler, await b2cCustomer({ extension_loyalty: 'gold' }))).status).toBe(200);
    expect((await call(handler, await b2cCustomer({ extension_loyalty: 'tin' }))).status).toBe(403);
  });
});

describe('step-up by claims challenge (authentication context)', () => {
  it('answers a delegated token without the context with 401 and the exact insufficient_claims challenge', async () => {
    const handler = guard({ DELETE: { scopes: anyOf('Orders.Read'), authenticationContext: 'c1' } });
    const response = await invokeHttp(handler, { method: 'DELETE', headers: { authorization: `Bearer ${await employeeUser({ acrs: ['c2'] })}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", authorization_uri="https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize", error="insufficient_claims", ` +
        'error_description="This operation requires a stronger sign-in (an authentication context); request a token with the claims in the challenge.", ' +
        `claims="${C1_CHALLENGE_CLAIMS}"`,
    );
    // The claims parameter is standard base64 of exactly the JSON Microsoft documents.
    expect(Buffer.from(C1_CHALLENGE_CLAIMS, 'base64').toString('utf8')).toBe('{"access_token":{"acrs":{"essential":true,"value":"c1"}}}');
    expect(response.body).toMatchObject({ code: 'authentication_context_required', status: 401 });
    expect(observer.failures.at(-1)).toMatchObject({ code: 'authentication_context_required', check: 'policy.authentication_context' });
  });

  it('passes a delegated token whose acrs holds the context', async () => {
    const handler = guard({ DELETE: { scopes: anyOf('Orders.Read'), authenticationContext: 'c1' } });
    expect((await invokeHttp(handler, { method: 'DELETE', headers: { authorization: `Bearer ${await employeeUser({ acrs: ['c2', 'c1'] })}` } })).status).toBe(200);
  });

  it("sends an External ID user to the tenant's ciamlogin authorize endpoint", async () => {
    const handler = guard({ GET: { scopes: anyOf('Orders.Read'), authenticationContext: 'c25' } });
    const header = (await call(handler, await customer())).headers.get('www-authenticate') ?? '';
    expect(header).toContain(`authorization_uri="https://contosocustomers.ciamlogin.com/${CUSTOMERS_TENANT}/oauth2/v2.0/authorize"`);
    const claims = /claims="([^"]+)"/.exec(header)?.[1] ?? '';
    // c25's JSON needs padding: standard base64 keeps it.
    expect(claims.endsWith('=')).toBe(true);
    expect(JSON.parse(Buffer.from(claims, 'base64').toString('utf8'))).toEqual({ access_token: { acrs: { essential: true, value: 'c25' } } });
  });

  it('answers a B2C token with 403 on a method that also accepts workforce: B2C never issues acrs', async () => {
    const handler = guard({ DELETE: { scopes: anyOf('Orders.Read'), authenticationContext: 'c1' } });
    const response = await invokeHttp(handler, { method: 'DELETE', headers: { authorization: `Bearer ${await b2cCustomer()}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).not.toContain('insufficient_claims');
  });

  it('answers an app-only token with 403: it can never carry acrs', async () => {
    const handler = guard({ DELETE: { appRoles: anyOf('Orders.Read'), scopes: anyOf('Orders.Read'), authenticationContext: 'c1' } });
    const response = await invokeHttp(handler, { method: 'DELETE', headers: { authorization: `Bearer ${await employeeApp()}` } });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'insufficient_scope' });
    expect(observer.failures.at(-1)).toMatchObject({ check: 'policy.authentication_context' });
  });
});

describe('defineAuthPolicy checks the new conditions at startup', () => {
  it.each<[string, AuthPolicy, readonly string[] | undefined, RegExp]>([
    ['an authority not configured', { GET: { ...READ, authorities: ['partners'] } }, undefined, /authority "partners" is not configured/],
    ['an empty authority list', { GET: { ...READ, authorities: [] } }, undefined, /lists no authority/],
    ['an unknown authority kind', { GET: { ...READ, authorityKinds: ['adfs' as 'workforce'] } }, undefined, /authorityKinds names "adfs"/],
    ['an empty kind list', { GET: { ...READ, authorityKinds: [] } }, undefined, /lists no kind/],
    ['a kind no configured authority has', { GET: { ...READ, authorityKinds: ['b2c'] } }, ['employees', 'customers'], /no configured authority is of the kinds b2c.*let nobody in/],
    ['kinds that exclude every named authority', { GET: { ...READ, authorities: ['customers'], authorityKinds: ['workforce'] } }, undefined, /let nobody in/],
    ['a tfp rule on a workforce-only app', { GET: { ...READ, claims: [claimEquals('tfp', 'B2C_1_x')] } }, ['employees'], /only b2c authorities issue/],
    ['a tfp rule on a method that accepts only workforce', { GET: { ...READ, authorities: ['employees'], claims: [claimPresent('tfp')] } }, undefined, /only b2c/],
    ['a wids rule on a B2C-only method', { GET: { ...READ, authorities: ['legacyCustomers'], claims: [claimContainsAny('wids', 'x')] } }, undefined, /wids/],
    ['equals on an array claim', { GET: { ...READ, claims: [claimEquals('groups', 'g1')] } }, undefined, /array claim/],
    ['a rule with no values', { GET: { ...READ, claims: [claimContainsAny('groups')] } }, undefined, /lists no values/],
    ['a malformed claim name', { GET: { ...READ, claims: [claimPresent('bad name')] } }, undefined, /not a claim name/],
    ['an authentication context out of range', { GET: { ...READ, authenticationContext: 'c100' } }, undefined, /c1 to c99/],
    ['an authentication context on a B2C-only method', { GET: { ...READ, authorities: ['legacyCustomers'], authenticationContext: 'c1' } }, undefined, /B2C does not issue/],
  ])('refuses %s', (_name, policy, only, message) => {
    const configured = only ? settings.authorities.filter((authority) => only.includes(authority.name)) : settings.authorities;
    expect(() => defineAuthPolicy(policy, undefined, configured)).toThrow(message);
  });
});
