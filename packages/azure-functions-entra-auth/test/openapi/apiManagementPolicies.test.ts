import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ANY_VALID_TOKEN, allOf, anyOf, defineFailures, defineRoute } from '../../src/index';
import { apiManagementOperationName, apiManagementPolicies, openApiDocument, type AnonymousRoute, type GatewayPolicyOptions } from '../../src/openapi';

const permissions = { appRoles: ['Files.Read', 'Files.Write', 'Admin'], scopes: ['Files.Read', 'Files.Write'] };
const security = { authority: 'https://login.microsoftonline.com/t', appIdUri: 'api://files', permissions };
const refusal = defineFailures({ edge_refused: { status: 401, challenge: 'invalid_token', detail: 'Refused at the edge.' } }).edge_refused;
const options: GatewayPolicyOptions = {
  tenantId: 'tenant-"&<id>',
  audiences: ['client-id', 'api://files'],
  realm: 'api://files',
  clientApplicationIds: ['app-1', 'app-2'],
  rateLimit: { calls: '10', renewalPeriodSeconds: '60' },
  tokenRefusal: refusal,
};
const health: AnonymousRoute = { name: 'health', route: 'health', anonymous: true, methods: ['GET'] };
const files = defineRoute('files', 'files', {
  GET: ANY_VALID_TOKEN,
  POST: { appRoles: allOf('Files.Write', 'Admin') },
  PUT: { scopes: anyOf('Files.Write'), userRoles: anyOf('Admin') },
});
const routes = [health, files];

function policiesFor(routeList = routes) {
  const document = openApiDocument({ info: { title: 'Files', version: '1' }, routes: routeList, security });
  return apiManagementPolicies(document, routeList, options);
}
const xmlOf = (operationName: string) => policiesFor().find((p) => p.operationName === operationName)?.xml ?? '';

describe('API Management policies from a route table', () => {
  it('writes one well-formed policy per operation, named as API Management names imported operations', () => {
    const policies = policiesFor();
    expect(policies.map((p) => `${p.method} ${p.path} ${p.operationName}`)).toEqual(['GET /health gethealth', 'GET /files getfiles', 'POST /files postfiles', 'PUT /files putfiles']);
    for (const { xml } of policies) expect(XMLValidator.validate(xml)).toBe(true);
    expect(apiManagementOperationName('list_Tenant.Orders')).toBe('list-tenant-orders');
  });

  it('escapes the values it is given in attributes and text', () => {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xmlOf('getfiles')) as { policies: { inbound: { 'validate-azure-ad-token': { '@tenant-id': string } } } };
    expect(parsed.policies.inbound['validate-azure-ad-token']['@tenant-id']).toBe('tenant-"&<id>');
  });

  it('demands all of an allOf (match="all") and refuses delegated tokens a method does not admit', () => {
    const xml = xmlOf('postfiles');
    expect(xml).toMatch(/<claim name="roles" match="all">\s*<value>Files.Write<\/value>\s*<value>Admin<\/value>/);
    // The delegated branch answers 403 at once: the method names no scopes.
    expect(xml).toMatch(/ContainsKey\(&quot;scp&quot;\)\)">\s*<return-response>\s*<set-status code="403"/);
  });

  it("adds the user's roles to a delegated method's scp claim, and refuses app-only tokens", () => {
    const xml = xmlOf('putfiles');
    expect(xml).toMatch(/<claim name="scp" match="any" separator=" ">\s*<value>Files.Write<\/value>\s*<\/claim>\s*<claim name="roles" match="any">\s*<value>Admin<\/value>/);
    expect(xml).toMatch(/<otherwise>\s*<return-response>\s*<set-status code="403"/);
  });

  it('lets any valid token with a role or a scope through, and refuses one with neither', () => {
    const xml = xmlOf('getfiles');
    expect(xml).not.toContain('required-claims');
    expect(xml).toContain('!((Jwt)context.Variables[&quot;entra-token&quot;]).Claims.ContainsKey(&quot;roles&quot;) &amp;&amp; !((Jwt)context.Variables[&quot;entra-token&quot;]).Claims.ContainsKey(&quot;scp&quot;)');
  });

  it("answers with the app's refusal and the realm, and leaves anonymous operations to the API's policy", () => {
    expect(xmlOf('getfiles')).toContain('Bearer realm="api://files", error="invalid_token", error_description="Refused at the edge."');
    expect(xmlOf('getfiles')).toContain('new JProperty("code", "edge_refused")');
    expect(xmlOf('gethealth')).not.toContain('validate-azure-ad-token');
  });

  it('refuses two operations API Management would name alike', () => {
    const a = defineRoute('a_b', 'x', { GET: ANY_VALID_TOKEN });
    const b = defineRoute('aB', 'y', { GET: ANY_VALID_TOKEN });
    const document = openApiDocument({ info: { title: 'x', version: '1' }, routes: [a, b], security, operations: { a_b: { GET: { operationId: 'get-ab' } }, aB: { GET: { operationId: 'get_ab' } } } });
    expect(() => apiManagementPolicies(document, [a, b], options)).toThrow('both named get-ab');
  });
});
