import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { requirementNames, type MethodRule, type Requirement } from 'azure-functions-entra-auth';
import { apiManagementOperationName, methodsOf, openApiPath, ruleOf } from 'azure-functions-entra-auth/openapi';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
import { POLICY_PLACEHOLDERS } from '../../lib/openapi/gatewayPolicies';
import { compiledInfra, describeCompiled, expr } from './support/armTemplate';

/**
 * The API Management front door (infra/modules/apiManagement.bicep): each generated
 * operation policy (infra/apim/operationPolicies.json), with the deployment's values put
 * in as the Bicep module does, parsed as XML and checked against the route table,
 * operation by operation. No API Management runs here: what the gateway does with the
 * XML is not verified (docs/deploy.md).
 */
const root = path.join(__dirname, '../..');
const declared = loadDeclaredPermissions();
const routes = appRoutes(declared);
const document = JSON.parse(readFileSync(path.join(root, 'infra/apim/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> };
const policies = JSON.parse(readFileSync(path.join(root, 'infra/apim/operationPolicies.json'), 'utf8')) as { operationName: string; method: string; path: string; xml: string }[];

const DEPLOYMENT = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '11111111-2222-4333-8444-555555555555', appIdUri: 'api://contoso-orders', calls: 120, period: 60 };
const ALLOWED_APPS = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];

/** The Bicep module's replace() chain, in TypeScript. */
function deployed(xml: string, allowedApps: readonly string[]): string {
  const apps = allowedApps.length === 0 ? '' : `<client-application-ids>${allowedApps.map((id) => `<application-id>${id}</application-id>`).join('')}</client-application-ids>`;
  const p = POLICY_PLACEHOLDERS;
  return xml
    .replace(p.allowedClientApps, apps)
    .replaceAll(p.tenantId, DEPLOYMENT.tenantId)
    .replaceAll(p.clientId, DEPLOYMENT.clientId)
    .replaceAll(p.appIdUri, DEPLOYMENT.appIdUri)
    .replaceAll(p.rateLimitCalls, String(DEPLOYMENT.calls))
    .replaceAll(p.rateLimitPeriod, String(DEPLOYMENT.period));
}

type Node = { [key: string]: unknown };
const LISTS = new Set(['when', 'claim', 'value', 'audience', 'application-id', 'validate-azure-ad-token', 'choose', 'set-header', 'return-response']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseTagValue: false, trimValues: false, isArray: (name) => LISTS.has(name) });

function parse(xml: string): Node {
  const parsed = parser.parse(xml, true) as { policies?: Node };
  if (!parsed.policies) throw new Error('no <policies>');
  return parsed.policies;
}

const list = (node: unknown, key: string): Node[] => ((node as Node | undefined)?.[key] as Node[] | undefined) ?? [];
const one = (node: unknown, key: string): Node => {
  const found = list(node, key);
  if (found.length !== 1) throw new Error(`expected one <${key}>, found ${found.length}`);
  return found[0] as Node;
};
// Values are trimmed here, not by the parser: it would trim the separator=" " attribute too.
const values = (node: Node, key: string) => list(node, key).map((v) => (typeof v === 'object' ? String(v['#text']) : String(v)).trim());
const elementNames = (node: Node) => Object.keys(node).filter((key) => key !== '#text');

/** A required claim as the route table says it: name, any/all, its values. */
function expectedClaim(name: 'scp' | 'roles', requirement: Requirement) {
  return { '@name': name, '@match': 'anyOf' in requirement ? 'any' : 'all', ...(name === 'scp' && { '@separator': ' ' }), value: [...requirementNames(requirement)] };
}
const claimsOf = (validation: Node) =>
  list(validation['required-claims'], 'claim').map((c) => ({ ...Object.fromEntries(Object.entries(c).filter(([key]) => key.startsWith('@'))), value: values(c, 'value') }));

/** The status and WWW-Authenticate a <return-response> answers with. */
function answerOf(block: Node) {
  const response = one(block, 'return-response');
  const headers = Object.fromEntries(list(response, 'set-header').map((h) => [String(h['@name']), values(h, 'value')[0]]));
  const body = String(response['set-body']).trim();
  return { status: (response['set-status'] as Node)['@code'], challenge: headers['WWW-Authenticate'], contentType: headers['Content-Type'], code: /"code", "([a-z_]+)"/.exec(body)?.[1] };
}

const operations = Object.values(routes).flatMap((route) => methodsOf(route).map((method) => ({ route, method, rule: ruleOf(route, method) })));
const policyOf = (route: (typeof operations)[number]['route'], method: string) => {
  const operationId = document.paths[openApiPath(route.route).path]?.[method.toLowerCase()]?.operationId ?? '';
  return policies.find((p) => p.operationName === apiManagementOperationName(operationId));
};
const protectedOperations = operations.filter((o): o is typeof o & { rule: MethodRule } => o.rule !== undefined);

describe('the generated API Management policies', () => {
  it('exist for every operation of the route table, named as API Management names the imported operations', () => {
    expect(policies.map((p) => `${p.method} ${p.path}`).sort()).toEqual(operations.map((o) => `${o.method} ${openApiPath(o.route.route).path}`).sort());
    for (const { route, method } of operations) expect({ route: route.name, method, found: policyOf(route, method) !== undefined }).toEqual({ route: route.name, method, found: true });
    for (const { operationName } of policies) expect(operationName).toMatch(/^[a-z0-9-]+$/);
  });

  it('pass anonymous operations through with the API policy only', () => {
    for (const { route, method } of operations.filter((o) => o.rule === undefined)) {
      const inbound = parse(policyOf(route, method)?.xml ?? '').inbound as Node;
      expect({ route: route.name, inbound: elementNames(inbound) }).toEqual({ route: route.name, inbound: ['base'] });
    }
  });

  it.each(protectedOperations.map((o) => [`${o.method} ${o.route.route}`, o] as const))('%s: validate the token for the tenant, its audiences and the allowed caller apps (401)', (_name, { route, method }) => {
    const inbound = parse(deployed(policyOf(route, method)?.xml ?? '', ALLOWED_APPS)).inbound as Node;
    const token = one(inbound, 'validate-azure-ad-token');
    expect(token).toMatchObject({ '@tenant-id': DEPLOYMENT.tenantId, '@header-name': 'Authorization', '@failed-validation-httpcode': '401', '@output-token-variable-name': 'entra-token' });
    expect(values(token.audiences as Node, 'audience')).toEqual([DEPLOYMENT.clientId, DEPLOYMENT.appIdUri]);
    expect(values(token['client-application-ids'] as Node, 'application-id')).toEqual(ALLOWED_APPS);
    // Without an allow-list the element is left out: any caller app with a required permission.
    const open = one(parse(deployed(policyOf(route, method)?.xml ?? '', [])).inbound, 'validate-azure-ad-token');
    expect(open['client-application-ids']).toBeUndefined();
  });

  it.each(protectedOperations.map((o) => [`${o.method} ${o.route.route}`, o] as const))("%s: demand the method's scopes of delegated tokens and its app roles of app-only ones (403)", (_name, { route, method, rule }) => {
    const inbound = parse(deployed(policyOf(route, method)?.xml ?? '', [])).inbound as Node;
    const branch = list(inbound, 'choose')[0] as Node;
    const [delegated] = list(branch, 'when');
    expect(String(delegated?.['@condition'])).toContain('ContainsKey("scp")');
    if ('anyValidToken' in rule) throw new Error('no ANY_VALID_TOKEN route in this table; extend the test when one is added');
    const check = (block: Node | undefined, name: 'scp' | 'roles', requirement: Requirement | undefined, extra: Requirement | undefined) => {
      if (!requirement) {
        expect(answerOf(block ?? {})).toMatchObject({ status: '403', code: 'insufficient_scope' });
        return;
      }
      const validation = one(block, 'validate-azure-ad-token');
      expect(validation['@failed-validation-httpcode']).toBe('403');
      expect(claimsOf(validation)).toEqual([expectedClaim(name, requirement), ...(extra ? [expectedClaim('roles', extra)] : [])]);
    };
    check(delegated, 'scp', rule.scopes, rule.userRoles);
    check(branch.otherwise as Node, 'roles', rule.appRoles, undefined);
  });

  it.each(protectedOperations.map((o) => [`${o.method} ${o.route.route}`, o] as const))('%s: limit each caller app by its validated azp/appid, after validation', (_name, { route, method }) => {
    const xml = deployed(policyOf(route, method)?.xml ?? '', []);
    const inbound = parse(xml).inbound as Node;
    const limit = inbound['rate-limit-by-key'] as Node;
    expect(limit).toMatchObject({ '@calls': String(DEPLOYMENT.calls), '@renewal-period': String(DEPLOYMENT.period) });
    expect(String(limit['@counter-key'])).toMatch(/context\.Variables\["entra-token"\].*"azp".*"appid"/);
    expect(xml.indexOf('<rate-limit-by-key')).toBeGreaterThan(xml.lastIndexOf('</validate-azure-ad-token>'));
  });

  it.each(protectedOperations.map((o) => [`${o.method} ${o.route.route}`, o] as const))('%s: answer refusals as RFC 6750 challenges with problem bodies, as the function does', (_name, { route, method, rule }) => {
    const onError = parse(deployed(policyOf(route, method)?.xml ?? '', []))['on-error'];
    const answers = list(one(onError, 'choose'), 'when').map(answerOf);
    const realm = `Bearer realm="${DEPLOYMENT.appIdUri}"`;
    const scope = 'anyValidToken' in rule ? undefined : [...new Set([...(rule.appRoles ? requirementNames(rule.appRoles) : []), ...(rule.scopes ? requirementNames(rule.scopes) : [])])].join(' ');
    expect(answers).toEqual([
      { status: '401', challenge: realm, contentType: 'application/problem+json', code: 'token_missing' },
      { status: '401', challenge: expect.stringMatching(new RegExp(`^${realm}, error="invalid_token", error_description="[^"]+"$`)) as unknown, contentType: 'application/problem+json', code: 'gateway_token_invalid' },
      { status: '403', challenge: expect.stringMatching(new RegExp(`^${realm}, error="insufficient_scope", error_description="[^"]+", scope="${scope ?? ''}"$`)) as unknown, contentType: 'application/problem+json', code: 'insufficient_scope' },
    ]);
  });

  it('compare a tenant route parameter with the token tenant, where the route table says so', () => {
    for (const { route, method, rule } of protectedOperations) {
      const xml = policyOf(route, method)?.xml ?? '';
      const tenantParam = 'anyValidToken' in rule ? undefined : rule.tenantRouteParam;
      expect({ route: route.name, compares: xml.includes('MatchedParameters') }).toEqual({ route: route.name, compares: tenantParam !== undefined });
      if (tenantParam) expect(xml).toContain(`MatchedParameters.GetValueOrDefault(&quot;${tenantParam}&quot;`);
    }
  });

  it("pass the caller's Authorization header on and never swap it for the gateway's identity", () => {
    for (const { xml } of policies) {
      expect(xml).not.toMatch(/authentication-managed-identity|set-header name="Authorization"|exists-action="delete"/i);
    }
  });
});

describeCompiled('the API Management front door (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;
  const resources = infra.resources.filter((r) => r.modulePath.includes('apiManagement'));
  const ofType = (type: string) => resources.filter((r) => r.type === type);

  it('is off by default and deployed only on deployApiManagement, on a tier with rate-limit-by-key', () => {
    expect(infra.main.parameters?.deployApiManagement?.defaultValue).toBe(false);
    expect(infra.main.parameters?.apiManagementSku?.defaultValue).toBe('BasicV2');
    expect(infra.main.parameters?.apiManagementSku?.allowedValues).not.toContain('Consumption');
    const module = infra.modules.find((m) => m.name === 'apiManagement');
    expect(expr(module?.deployment.condition)).toBe("parameters('deployApiManagement')");
  });

  it('imports the generated document and gives every operation its generated policy', () => {
    const [api] = ofType('Microsoft.ApiManagement/service/apis');
    expect(api?.json.properties).toMatchObject({ format: 'openapi+json', subscriptionRequired: false, protocols: ['https'] });
    const [operationPolicies] = ofType('Microsoft.ApiManagement/service/apis/operations/policies');
    expect(operationPolicies?.json.properties).toMatchObject({ format: 'rawxml' });
    expect(JSON.stringify(operationPolicies?.json.copy)).toContain("length(variables('policies'))");
  });

  it('sends the function key from a secret named value, not a managed identity token', () => {
    const [namedValue] = ofType('Microsoft.ApiManagement/service/namedValues');
    expect(namedValue?.json.properties).toMatchObject({ secret: true, value: "[parameters('functionKey')]" });
    expect(infra.main.parameters?.apiManagementFunctionKey?.type.toLowerCase()).toBe('securestring');
    const [backend] = ofType('Microsoft.ApiManagement/service/backends');
    expect(JSON.stringify(backend?.json.properties)).toContain('x-functions-key');
    expect(JSON.stringify(resources.map((r) => r.json))).not.toMatch(/authentication-managed-identity|listKeys/);
  });
});
