import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { allOf, anyOf, defineFailures, defineRoute, loadAuthSettings, type AuthorityConfig, type AuthorityInput } from '../../src/index';
import { apiManagementAuthorityPolicies, openApiDocument, type AnonymousRoute, type AuthorityGatewayOptions } from '../../src/openapi';

const WORKFORCE = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CIAM = 'b7c4c5e1-0d55-4f0a-9a83-6f4b8c1f2e33';
const B2C = '0c2e9a3f-5b6d-4e7f-8a9b-1c2d3e4f5a6b';
const APP = 'aaaaaaaa-0000-4000-8000-000000000001';
const INPUT: AuthorityInput[] = [
  { name: 'employees', kind: 'workforce', tenantId: WORKFORCE, clientId: '11111111-2222-4333-8444-555555555555', appIdUri: 'api://files', tokenVersions: ['2.0'] },
  { name: 'customers', kind: 'externalId', tenantId: CIAM, tenantName: 'contosocustomers', clientId: '22222222-2222-4333-8444-555555555555', appIdUri: 'api://files-customers' },
  { name: 'legacy', kind: 'b2c', tenantId: B2C, tenantName: 'contosob2c', clientId: '33333333-2222-4333-8444-555555555555', userFlows: ['B2C_1_SignIn', 'B2C_1_edit'], allowedClientApps: [APP] },
];
/** The authorities exactly as the function would run with them. */
const authorities = (input: readonly AuthorityInput[] = INPUT): readonly AuthorityConfig[] => loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(input) }).authorities;

const permissions = { appRoles: ['Files.Read', 'Files.Write'], scopes: ['Files.Read', 'Files.Write'] };
const security = { authority: `https://login.microsoftonline.com/${WORKFORCE}`, appIdUri: 'api://files', permissions };
const refusal = defineFailures({ edge_refused: { status: 401, challenge: 'invalid_token', detail: 'Refused at the edge.' } }).edge_refused;
const health: AnonymousRoute = { name: 'health', route: 'health', anonymous: true, methods: ['GET'] };
const files = defineRoute('files', 'files', {
  GET: { scopes: anyOf('Files.Read'), appRoles: anyOf('Files.Read') },
  DELETE: { appRoles: allOf('Files.Write'), authorities: ['employees'] },
});
const routes = [health, files];

function policiesFor(configured: AuthorityGatewayOptions['authorities'] = authorities()) {
  const document = openApiDocument({ info: { title: 'Files', version: '1' }, routes, security });
  return apiManagementAuthorityPolicies(document, routes, { authorities: configured, realm: 'api://files', rateLimit: { calls: '10', renewalPeriodSeconds: '60' }, tokenRefusal: refusal });
}

type Node = Record<string, unknown>;
const LISTS = new Set(['when', 'validate-jwt', 'openid-config', 'issuer', 'audience', 'claim', 'value', 'choose', 'set-variable']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => LISTS.has(name) });
const list = (node: unknown, key: string) => ((node as Node | undefined)?.[key] as Node[] | undefined) ?? [];
const texts = (node: unknown, key: string) => list(node, key).map((v) => String(typeof v === 'object' ? v['#text'] : v));

/** Each key source branch of an operation: its condition, and its 401 validation's documents, issuers and audiences. */
function branchesOf(xml: string) {
  const inbound = (parser.parse(xml) as { policies: { inbound: Node } }).policies.inbound;
  return list(list(inbound, 'choose')[0], 'when').map((when) => {
    const [validation] = list(when, 'validate-jwt');
    return {
      condition: String(when['@condition']),
      id: validation?.['@id'],
      status: validation?.['@failed-validation-httpcode'],
      documents: list(validation, 'openid-config').map((c) => c['@url']),
      issuers: texts(validation?.issuers, 'issuer'),
      audiences: texts(validation?.audiences, 'audience'),
      clientAppCheck: list(when, 'choose').some((c) => String(list(c, 'when')[0]?.['@condition']).includes('new string[]')),
    };
  });
}

describe('API Management policies for several authorities', () => {
  it('writes well-formed policies, anonymous operations with the API policy only', () => {
    const policies = policiesFor();
    expect(policies.map((p) => `${p.method} ${p.path}`)).toEqual(['GET /health', 'GET /files', 'DELETE /files']);
    for (const { xml } of policies) expect(XMLValidator.validate(xml)).toBe(true);
    expect(policies[0]?.xml).not.toContain('validate-jwt');
  });

  it('validates each key source with its own discovery document, its exact issuers and its authority\'s audiences', () => {
    const branches = branchesOf(policiesFor()[1]?.xml ?? '');
    expect(branches.map(({ documents, issuers, audiences }) => ({ documents, issuers, audiences }))).toEqual([
      {
        documents: [`https://login.microsoftonline.com/${WORKFORCE}/v2.0/.well-known/openid-configuration`],
        issuers: [`https://login.microsoftonline.com/${WORKFORCE}/v2.0`],
        audiences: ['11111111-2222-4333-8444-555555555555', 'api://files', 'api://files/'],
      },
      {
        documents: [`https://contosocustomers.ciamlogin.com/${CIAM}/v2.0/.well-known/openid-configuration`],
        issuers: [`https://${CIAM}.ciamlogin.com/${CIAM}/v2.0`],
        audiences: ['22222222-2222-4333-8444-555555555555', 'api://files-customers', 'api://files-customers/'],
      },
      {
        documents: [`https://login.microsoftonline.com/${CIAM}/v2.0/.well-known/openid-configuration`],
        issuers: [`https://login.microsoftonline.com/${CIAM}/v2.0`],
        audiences: ['22222222-2222-4333-8444-555555555555', 'api://files-customers', 'api://files-customers/'],
      },
      {
        documents: ['https://contosob2c.b2clogin.com/contosob2c.onmicrosoft.com/b2c_1_signin/v2.0/.well-known/openid-configuration'],
        issuers: [`https://contosob2c.b2clogin.com/${B2C}/v2.0/`],
        audiences: ['33333333-2222-4333-8444-555555555555'],
      },
      {
        documents: ['https://contosob2c.b2clogin.com/contosob2c.onmicrosoft.com/b2c_1_edit/v2.0/.well-known/openid-configuration'],
        issuers: [`https://contosob2c.b2clogin.com/${B2C}/v2.0/`],
        audiences: ['33333333-2222-4333-8444-555555555555'],
      },
    ]);
    for (const branch of branches) expect(branch).toMatchObject({ id: 'entra-token', status: '401' });
  });

  it('picks a branch by exact string equality on iss, and in B2C on the user flow too', () => {
    const [workforce, , , signIn] = branchesOf(policiesFor()[1]?.xml ?? '');
    expect(workforce?.condition).toBe(`@((string)context.Variables["entra-issuer"] == "https://login.microsoftonline.com/${WORKFORCE}/v2.0")`);
    expect(signIn?.condition).toBe(
      `@((string)context.Variables["entra-issuer"] == "https://contosob2c.b2clogin.com/${B2C}/v2.0/" && string.Equals((string)context.Variables["entra-user-flow"], "B2C_1_SignIn", StringComparison.OrdinalIgnoreCase))`,
    );
    expect(policiesFor()[1]?.xml).not.toMatch(/StartsWith\(&quot;https|EndsWith|Contains\(&quot;https|\{tenantid\}|\*/i);
  });

  it('checks the caller apps an authority names, and none where it names none', () => {
    expect(branchesOf(policiesFor()[1]?.xml ?? '').map((b) => b.clientAppCheck)).toEqual([false, false, false, true, true]);
    expect(policiesFor()[1]?.xml).toContain(`new string[] { &quot;${APP}&quot; }`);
  });

  it("accepts only the authorities a method's rule names", () => {
    const remove = policiesFor()[2];
    expect(remove?.authorities).toEqual(['employees']);
    expect(branchesOf(remove?.xml ?? '').map((b) => b.issuers)).toEqual([[`https://login.microsoftonline.com/${WORKFORCE}/v2.0`]]);
    expect(() => policiesFor(authorities(INPUT.slice(1)))).toThrow(/accepts authority employees, which is not configured/);
  });

  it("accepts only the kinds of authority a method's rule names (authorityKinds), and refuses kinds that leave none", () => {
    const staffOnly = defineRoute('staff', 'staff', { GET: { appRoles: anyOf('Files.Read'), authorityKinds: ['workforce'] } });
    const customersOnly = defineRoute('shop', 'shop', { GET: { scopes: anyOf('Files.Read'), authorityKinds: ['externalId', 'b2c'] } });
    const document = openApiDocument({ info: { title: 'Files', version: '1' }, routes: [staffOnly, customersOnly], security });
    const options = { realm: 'api://files', rateLimit: { calls: '10', renewalPeriodSeconds: '60' }, tokenRefusal: refusal };
    const [staff, shop] = apiManagementAuthorityPolicies(document, [staffOnly, customersOnly], { ...options, authorities: authorities() });
    expect(staff?.authorityKinds).toEqual(['workforce']);
    expect(branchesOf(staff?.xml ?? '').map((b) => b.issuers)).toEqual([[`https://login.microsoftonline.com/${WORKFORCE}/v2.0`]]);
    // External ID's two sources (ciamlogin and login.microsoftonline.com) and B2C's two user flows.
    expect(branchesOf(shop?.xml ?? '')).toHaveLength(4);
    expect(() => apiManagementAuthorityPolicies(document, [staffOnly], { ...options, authorities: authorities(INPUT.slice(1)) })).toThrow(/GET \/staff accepts none of the configured authorities/);
  });

  it('lists every allowed tenant of a multi-tenant workforce authority as an exact issuer, and refuses one that allows any tenant', () => {
    const other = 'd3b07384-d113-4ec6-a3b8-5f0a0e1c9e2f';
    const multi = authorities([{ name: 'employees', kind: 'workforce', tenantId: 'organizations', allowedTenants: [WORKFORCE, other], clientId: '11111111-2222-4333-8444-555555555555' }]);
    const [branch] = branchesOf(policiesFor(multi)[1]?.xml ?? '');
    expect(branch?.documents).toEqual(['https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration']);
    expect(branch?.issuers).toEqual([
      `https://login.microsoftonline.com/${WORKFORCE}/v2.0`,
      `https://login.microsoftonline.com/${other}/v2.0`,
      `https://sts.windows.net/${WORKFORCE}/`,
      `https://sts.windows.net/${other}/`,
    ]);
    const any = authorities([{ name: 'employees', kind: 'workforce', tenantId: 'common', allowedTenants: '*', clientId: '11111111-2222-4333-8444-555555555555' }]);
    expect(() => policiesFor(any)).toThrow(/accepts any tenant, which exact issuers cannot express/);
  });

  it('refuses a local stand-in authority, which API Management cannot reach', () => {
    const local = authorities([{ name: 'customers', kind: 'externalId', tenantId: CIAM, tenantName: 'contosocustomers', clientId: '22222222-2222-4333-8444-555555555555', discoveryBase: 'https://127.0.0.1:7443/_ciam' }]);
    expect(() => policiesFor(local)).toThrow(/discoveryBase/);
  });

  it('demands the method scopes or roles inside each branch, against the same source (403)', () => {
    const xml = policiesFor()[2]?.xml ?? '';
    expect(xml).toMatch(/<validate-jwt id="entra-permission-app"[^>]*failed-validation-httpcode="403"[^>]*>\s*<openid-config url="https:\/\/login.microsoftonline.com\/72f988bf[^"]*" \/>[\s\S]*?<claim name="roles" match="all">\s*<value>Files.Write<\/value>/);
  });

  it('answers a token no branch claims as the single-tenant policy answers a refused one, and a missing one as missing', () => {
    const inbound = (parser.parse(policiesFor()[1]?.xml ?? '') as { policies: { inbound: Node } }).policies.inbound;
    const otherwise = list(list(inbound, 'choose')[0]?.otherwise, 'choose')[0];
    const [missing] = list(otherwise, 'when');
    expect(String(missing?.['@condition'])).toBe('@(!context.Request.Headers.ContainsKey("Authorization"))');
    expect(JSON.stringify(missing)).toContain('"code\\", \\"token_missing\\"');
    expect(JSON.stringify(otherwise?.otherwise)).toContain('"code\\", \\"edge_refused\\"');
    expect(JSON.stringify(otherwise?.otherwise)).toContain('Bearer realm=\\"api://files\\", error=\\"invalid_token\\"');
  });

  it('writes a placeholder where the branches go, for a tool that adds them per deployment', () => {
    const [, get] = policiesFor({ placeholder: '<!-- BRANCHES -->' });
    expect(get?.xml).toMatch(/<choose>\s*<!-- BRANCHES -->\s*<otherwise>/);
    expect(get?.rule).toBe(files.policy.GET);
  });
});
