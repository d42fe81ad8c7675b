import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { loadAuthSettings } from 'azure-functions-entra-auth';
import { inspectToken } from '../src/inspect/inspectToken';

/** Issue 22 item 6: with several authorities, the inspector checks a token against the authority its exact iss names, and says which. */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CUSTOMERS_TENANT = '22222222-2222-4222-8222-222222222222';
const CUSTOMERS_API = '33333333-3333-4333-8333-333333333333';
const B2C_TENANT = '44444444-4444-4444-8444-444444444444';
const B2C_API = '55555555-5555-4555-8555-555555555555';
const CALLER = '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01';
const settings = loadAuthSettings({
  AUTH_AUTHORITIES: JSON.stringify([
    { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: '11111111-1111-4111-8111-111111111111' },
    { name: 'customers', kind: 'externalId', tenantId: CUSTOMERS_TENANT, tenantName: 'contosocustomers', clientId: CUSTOMERS_API },
    { name: 'legacy', kind: 'b2c', tenantId: B2C_TENANT, tenantName: 'contosob2c', clientId: B2C_API, userFlows: ['B2C_1_signin'] },
  ]),
});
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Math.floor(Date.now() / 1000);
const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' }).sign(privateKey);
const inspect = async (claims: Record<string, unknown>) =>
  inspectToken(await sign(claims), { settings, settingsOrigin: 'test', offline: true, showClaims: false });

describe('the inspector with several authorities (offline)', () => {
  it("checks an External ID token against that authority's audience and tenant, and names it", async () => {
    const result = await inspect({
      iss: `https://${CUSTOMERS_TENANT}.ciamlogin.com/${CUSTOMERS_TENANT}/v2.0`,
      aud: CUSTOMERS_API,
      tid: CUSTOMERS_TENANT,
      azp: CALLER,
      scp: 'Orders.Read',
      ver: '2.0',
      exp: now + 3600,
      nbf: now - 5,
      iat: now - 5,
    });
    expect(result.verdict).toBe('passed-offline');
    expect(result.notes[0]).toBe('authority: customers (externalId), key source customers/ciamlogin, chosen by the token\'s exact iss');
    // Each expectation names where it was set: that authority's entry, not the single-tenant settings.
    const expected = (name: string) => result.checks.find((check) => check.name === name)?.expected;
    expect(expected('audience')).toBe(`the client ID ${CUSTOMERS_API} (AUTH_AUTHORITIES customers.clientId / appIdUri)`);
    expect(expected('tenant')).toBe(`tid ${CUSTOMERS_TENANT} (AUTH_AUTHORITIES customers.tenantId)`);
  });

  it("runs B2C's own steps for a B2C token (no tid, ver 1.0, the user flow in tfp)", async () => {
    const result = await inspect({ iss: `https://contosob2c.b2clogin.com/${B2C_TENANT}/v2.0/`, aud: B2C_API, azp: CALLER, scp: 'read', tfp: 'B2C_1_signin', ver: '1.0', exp: now + 3600, nbf: now - 5 });
    expect(result.verdict).toBe('passed-offline');
    expect(result.notes[0]).toContain('authority: legacy (b2c), key source legacy/B2C_1_signin');
    expect(result.checks.find((check) => check.name === 'tenant')?.expected).toMatch(/^no tid, or the B2C tenant's/);
  });

  it('says no configured authority claims a look-alike issuer', async () => {
    const result = await inspect({ iss: `https://contosob2c.fakeb2clogin.com/${B2C_TENANT}/v2.0/`, aud: B2C_API, azp: CALLER, scp: 'read', tfp: 'B2C_1_signin', ver: '1.0', exp: now + 3600 });
    expect(result.notes[0]).toBe('authority: none: iss is not the issuer of any configured authority; the configured authorities are employees, customers, legacy');
  });
});
