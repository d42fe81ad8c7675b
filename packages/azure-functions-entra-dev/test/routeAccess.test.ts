import { anyOf, claimContainsAny, loadAuthSettings, type AuthPolicy, type Principal } from 'azure-functions-entra-auth';
import type { AppDescription } from '../src/inspect/appDescription';
import { routeTableFor } from '../src/inspect/routeAccess';

/** Issue 22 item 6: the inspector's route table says which authority a route accepts, which claim rule failed, and the step-up. */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const settings = loadAuthSettings({
  AUTH_AUTHORITIES: JSON.stringify([
    { name: 'employees', kind: 'workforce', tenantId: TENANT, clientId: '11111111-1111-4111-8111-111111111111' },
    { name: 'customers', kind: 'externalId', tenantId: '22222222-2222-4222-8222-222222222222', tenantName: 'contosocustomers', clientId: '33333333-3333-4333-8333-333333333333' },
  ]),
});

const user = (claims: Record<string, unknown>, authority = 'employees'): Principal => ({
    objectId: 'o',
    subject: 's',
    tenantId: TENANT,
    clientAppId: '0f5a2f0e-7a56-4f0b-9a55-1f3c2b1e9d01',
    isAppOnly: false,
    roles: [],
    scopes: ['Orders.Read'],
    tokenVersion: '2.0',
    keyId: 'k',
    authority,
    authorityKind: authority === 'employees' ? 'workforce' : 'externalId',
    userFlow: undefined,
    claims: { iss: 'i', aud: 'a', exp: 1, tid: TENANT, ver: '2.0', ...claims },
});

const app = (policy: AuthPolicy): AppDescription => ({
  routePrefix: 'api',
  routes: [{ name: 'admin', route: 'admin', methods: Object.keys(policy), authLevel: 'anonymous', protection: { policy, settings, realm: 'api://orders-api' } }],
});

describe('the inspector route table', () => {
  it('names the authority a route does not accept', () => {
    const [row] = routeTableFor(user({}, 'customers'), app({ GET: { scopes: anyOf('Orders.Read'), authorities: ['employees'] } })).routes;
    expect(row).toMatchObject({ allowed: false, answer: '401 authority_not_accepted' });
    expect(row?.reason).toBe('tokens of authority customers are not accepted here; it accepts employees');
  });

  it('names the claim rule that failed, by the policy alone', () => {
    const [row] = routeTableFor(user({ wids: ['not-an-admin-role'] }), app({ GET: { scopes: anyOf('Orders.Read'), claims: [claimContainsAny('wids', '62e90394-69f5-4237-9190-012177145e10')] } })).routes;
    expect(row).toMatchObject({ allowed: false, answer: '403 claim_required' });
    expect(row?.reason).toContain('wids contains any of 62e90394-69f5-4237-9190-012177145e10 (claim_rule.wids)');
    expect(row?.reason).not.toContain('not-an-admin-role');
  });

  it('explains a step-up: the acrs held and the context needed', () => {
    const [row] = routeTableFor(user({ acrs: ['c2'] }), app({ DELETE: { scopes: anyOf('Orders.Read'), authenticationContext: 'c1' } })).routes;
    expect(row).toMatchObject({ allowed: false, answer: '401 authentication_context_required' });
    expect(row?.reason).toContain('needs authentication context c1 in acrs; token has acrs c2');
  });
});
