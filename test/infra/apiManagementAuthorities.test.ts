import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildAuthorityRoutes, loadAuthSettings, requirementNames, type MethodRule, type Requirement } from 'azure-functions-entra-auth';
import { apiManagementOperationName, methodsOf, openApiPath, ruleOf } from 'azure-functions-entra-auth/openapi';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
import { AUTHORITY_PLACEHOLDERS, type AuthorityOperationTemplate, type AuthorityPolicyTemplates } from '../../lib/openapi/gatewayAuthorityPolicies';
import { POLICY_PLACEHOLDERS } from '../../lib/openapi/gatewayPolicies';
import { at, compiledInfra, describeCompiled } from './support/armTemplate';

/**
 * The gateway for a deployment with several authorities (main.bicep: additionalAuthorities):
 * the generated skeletons and branch templates (infra/apim/authorityPolicies.json), filled
 * as apiManagement.bicep fills them, parsed as XML and checked operation by operation
 * against the route table and against the issuers the function itself accepts for the
 * same AUTH_AUTHORITIES. No API Management runs here (docs/deploy.md).
 */
const root = path.join(__dirname, '../..');
const declared = loadDeclaredPermissions();
const routes = appRoutes(declared);
const document = JSON.parse(readFileSync(path.join(root, 'infra/apim/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> };
const singleTenant = readFileSync(path.join(root, 'infra/apim/operationPolicies.json'), 'utf8');
const templates = JSON.parse(readFileSync(path.join(root, 'infra/apim/authorityPolicies.json'), 'utf8')) as AuthorityPolicyTemplates;

const CLOUD = 'https://login.microsoftonline.com';
const OWN = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CIAM = 'b7c4c5e1-0d55-4f0a-9a83-6f4b8c1f2e33';
const B2C = '0c2e9a3f-5b6d-4e7f-8a9b-1c2d3e4f5a6b';
const B2C_APP = 'AAAAAAAA-0000-4000-8000-00000000000B';
const DEFAULT_APP = 'aaaaaaaa-0000-4000-8000-000000000001';
const DEPLOYMENT = { clientId: '11111111-2222-4333-8444-555555555555', appIdUri: 'api://contoso-orders', calls: 120, period: 60 };

/** One entry of main.bicep's authorities array (authorityTypes.bicep). */
interface Entry {
  readonly kind: 'workforce' | 'externalId' | 'b2c';
  readonly name: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly appIdUri: string;
  readonly tenantName?: string;
  readonly userFlows?: readonly string[];
  readonly allowedClientApps?: readonly string[];
  readonly instance?: string;
  readonly tokenVersions?: readonly string[];
  readonly acceptMicrosoftOnlineIssuer?: boolean;
  readonly customDomain?: string;
}

/** The array main.bicep builds (its own workforce tenant first, then additionalAuthorities): the function's AUTH_AUTHORITIES and the gateway's list. */
const AUTHORITIES: readonly Entry[] = [
  { kind: 'workforce', name: 'employees', tenantId: OWN, clientId: DEPLOYMENT.clientId, appIdUri: DEPLOYMENT.appIdUri, instance: CLOUD, tokenVersions: ['2.0'] },
  { kind: 'externalId', name: 'customers', tenantId: CIAM, tenantName: 'contosocustomers', clientId: '22222222-2222-4333-8444-555555555555', appIdUri: 'api://orders-customers' },
  { kind: 'b2c', name: 'legacy', tenantId: B2C, tenantName: 'contosob2c', clientId: '33333333-2222-4333-8444-555555555555', appIdUri: 'https://contosob2c.onmicrosoft.com/orders', userFlows: ['B2C_1_SignUpSignIn', 'B2C_1A_edit'], allowedClientApps: [B2C_APP] },
];
/** The same authorities, none naming caller apps. */
const WITHOUT_APPS = AUTHORITIES.map((entry) => {
  const copy: { -readonly [K in keyof Entry]: Entry[K] } = { ...entry };
  delete copy.allowedClientApps;
  return copy;
});

/** apiManagement.bicep's gatewayAuthorities, keySourceBranches and replace chain, in TypeScript. */
function deployed(operation: AuthorityOperationTemplate, entries: readonly Entry[], defaultApps: readonly string[]): string {
  const P = AUTHORITY_PLACEHOLDERS;
  const fill = (template: string, e: Entry) => {
    const apps = e.allowedClientApps ?? defaultApps;
    const branch = template
      .replaceAll(P.tenantId, e.tenantId.toLowerCase())
      .replaceAll(P.clientId, e.clientId.toLowerCase())
      .replaceAll(P.appIdUri, e.appIdUri)
      .replaceAll(P.instance, e.instance ?? CLOUD)
      .replaceAll(P.tenantName, e.tenantName ?? '')
      .replaceAll(P.host, e.customDomain ?? `${e.tenantName ?? ''}.b2clogin.com`);
    return apps.length === 0 ? branch.replaceAll(templates.clientAppCheck, '') : branch.replaceAll(P.clientApps, apps.map((id) => `&quot;${id.toLowerCase()}&quot;`).join(', '));
  };
  const branchesOf = (e: Entry) => {
    const t = operation.branches;
    if (!t) return '';
    if (e.kind === 'workforce') return fill(t.workforce, e);
    if (e.kind === 'externalId') return [fill(t.externalId, e), ...((e.acceptMicrosoftOnlineIssuer ?? true) ? [fill(t.externalIdMicrosoftOnline, e)] : [])].join('\n');
    return (e.userFlows ?? []).map((flow) => fill(t.b2c, e).replaceAll(P.userFlow, flow.toLowerCase())).join('\n');
  };
  const accepted = entries.filter((e) => (operation.authorities === null || operation.authorities.includes(e.name)) && (operation.authorityKinds === null || operation.authorityKinds.includes(e.kind)));
  const q = POLICY_PLACEHOLDERS;
  return operation.xml
    .replace(P.branches, accepted.map(branchesOf).join('\n'))
    .replaceAll(q.appIdUri, DEPLOYMENT.appIdUri)
    .replaceAll(q.rateLimitCalls, String(DEPLOYMENT.calls))
    .replaceAll(q.rateLimitPeriod, String(DEPLOYMENT.period));
}

type Node = { [key: string]: unknown };
const LISTS = new Set(['when', 'claim', 'value', 'audience', 'issuer', 'openid-config', 'validate-jwt', 'choose', 'set-header', 'return-response', 'set-variable']);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseTagValue: false, trimValues: false, isArray: (name) => LISTS.has(name) });
const parse = (xml: string) => (parser.parse(xml, true) as { policies: Node }).policies;
const list = (node: unknown, key: string): Node[] => ((node as Node | undefined)?.[key] as Node[] | undefined) ?? [];
const one = (node: unknown, key: string): Node => {
  const found = list(node, key);
  if (found.length !== 1) throw new Error(`expected one <${key}>, found ${found.length}`);
  return found[0] as Node;
};
const values = (node: unknown, key: string) => list(node, key).map((v) => (typeof v === 'object' ? String(v['#text']) : String(v)).trim());
const claimsOf = (validation: Node) =>
  list(validation['required-claims'], 'claim').map((c) => ({ ...Object.fromEntries(Object.entries(c).filter(([key]) => key.startsWith('@'))), value: values(c, 'value') }));
function expectedClaim(name: 'scp' | 'roles', requirement: Requirement) {
  return { '@name': name, '@match': 'anyOf' in requirement ? 'any' : 'all', ...(name === 'scp' && { '@separator': ' ' }), value: [...requirementNames(requirement)] };
}
function answerOf(block: Node) {
  const response = one(block, 'return-response');
  const headers = Object.fromEntries(list(response, 'set-header').map((h) => [String(h['@name']), values(h, 'value')[0]]));
  return { status: (response['set-status'] as Node)['@code'], challenge: headers['WWW-Authenticate'], code: /"code", "([a-z_]+)"/.exec(String(response['set-body']))?.[1] };
}
/** A branch's 401 validation, as what it holds the token to. */
const validationOf = (validation: Node) => ({
  documents: list(validation, 'openid-config').map((c) => c['@url']),
  issuers: values(validation.issuers, 'issuer'),
  audiences: values(validation.audiences, 'audience'),
});

const operations = Object.values(routes).flatMap((route) => methodsOf(route).map((method) => ({ route, method, rule: ruleOf(route, method) })));
const templateOf = (o: (typeof operations)[number]) => {
  const operationId = document.paths[openApiPath(o.route.route).path]?.[o.method.toLowerCase()]?.operationId ?? '';
  const found = templates.operations.find((t) => t.operationName === apiManagementOperationName(operationId));
  if (!found) throw new Error(`no template for ${o.method} ${o.route.route}`);
  return found;
};
const protectedOperations = operations.filter((o): o is typeof o & { rule: MethodRule } => o.rule !== undefined).map((o) => [`${o.method} ${o.route.route}`, o] as const);

/** Every key source of AUTHORITIES: what its branch must hold the token to. */
const KEY_SOURCES = [
  { kind: 'workforce', documents: [`${CLOUD}/${OWN}/v2.0/.well-known/openid-configuration`], issuers: [`${CLOUD}/${OWN}/v2.0`, `https://sts.windows.net/${OWN}/`], audiences: [DEPLOYMENT.clientId, DEPLOYMENT.appIdUri, `${DEPLOYMENT.appIdUri}/`], apps: [DEFAULT_APP] },
  { kind: 'externalId', documents: [`https://contosocustomers.ciamlogin.com/${CIAM}/v2.0/.well-known/openid-configuration`], issuers: [`https://${CIAM}.ciamlogin.com/${CIAM}/v2.0`], audiences: ['22222222-2222-4333-8444-555555555555', 'api://orders-customers', 'api://orders-customers/'], apps: [DEFAULT_APP] },
  { kind: 'externalId', documents: [`${CLOUD}/${CIAM}/v2.0/.well-known/openid-configuration`], issuers: [`${CLOUD}/${CIAM}/v2.0`], audiences: ['22222222-2222-4333-8444-555555555555', 'api://orders-customers', 'api://orders-customers/'], apps: [DEFAULT_APP] },
  ...['b2c_1_signupsignin', 'b2c_1a_edit'].map((flow) => ({
    kind: 'b2c',
    documents: [`https://contosob2c.b2clogin.com/contosob2c.onmicrosoft.com/${flow}/v2.0/.well-known/openid-configuration`],
    issuers: [`https://contosob2c.b2clogin.com/${B2C}/v2.0/`],
    audiences: ['33333333-2222-4333-8444-555555555555', 'https://contosob2c.onmicrosoft.com/orders', 'https://contosob2c.onmicrosoft.com/orders/'],
    apps: [B2C_APP.toLowerCase()],
  })),
];
/** The key sources of the authorities an operation accepts (the staff's routes: workforce only), as a branch shows them. */
const sourcesFor = (template: AuthorityOperationTemplate) =>
  KEY_SOURCES.filter((source) => template.authorityKinds === null || template.authorityKinds.includes(source.kind)).map(({ documents, issuers, audiences, apps }) => ({ documents, issuers, audiences, apps }));

describe('the several-authority API Management policies', () => {
  it('cover the same operations, in the same order, as the single-tenant policies (the Bicep loop indexes both)', () => {
    const single = (JSON.parse(singleTenant) as { operationName: string; method: string; path: string }[]).map(({ operationName, method, path: p }) => ({ operationName, method, path: p }));
    expect(templates.operations.map(({ operationName, method, path: p }) => ({ operationName, method, path: p }))).toEqual(single);
  });

  it('leave the single-tenant policies byte for byte as they were before several authorities', () => {
    // The committed operationPolicies.json at ccfff2a; a change to the route table changes it on purpose (update the hash then).
    expect(createHash('sha256').update(singleTenant).digest('hex')).toBe('efeec37c01e7571d8d5d58d503a6dfe48714bdf2cdf2d16411ea661cac92742b');
    expect(singleTenant).not.toContain('validate-jwt');
  });

  it('are built for an AUTH_AUTHORITIES the function accepts, with the exact issuers the function routes by', () => {
    const settings = loadAuthSettings({ AUTH_AUTHORITIES: JSON.stringify(AUTHORITIES), AUTH_ALLOWED_CLIENT_APPS: DEFAULT_APP });
    const functionIssuers = buildAuthorityRoutes(settings.authorities).routes.map((route) => route.issuer);
    const [, get] = protectedOperations[0] ?? [];
    const gatewayIssuers = list(list(parse(deployed(templateOf(get!), AUTHORITIES, [DEFAULT_APP])).inbound, 'choose')[0], 'when').flatMap((w) => validationOf(one(w, 'validate-jwt')).issuers);
    // The gateway admits v1 tokens of the own tenant as validate-azure-ad-token did; the function holds them to AUTH_TOKEN_VERSIONS.
    expect([...new Set(gatewayIssuers)].sort()).toEqual([...functionIssuers, `https://sts.windows.net/${OWN}/`].sort());
  });

  it.each(protectedOperations)('%s: one validate-jwt per key source, with its own discovery document, exact issuers and its authority\'s audiences and caller apps (401)', (_name, o) => {
    const expected = sourcesFor(templateOf(o));
    const xml = deployed(templateOf(o), AUTHORITIES, [DEFAULT_APP]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/__[A-Za-z_]+__/);
    const inbound = parse(xml).inbound as Node;
    expect(list(inbound, 'set-variable').map((v) => v['@name'])).toEqual(['entra-issuer', 'entra-user-flow']);
    const branches = list(list(inbound, 'choose')[0], 'when');
    expect(
      branches.map((branch) => {
        const validation = one(branch, 'validate-jwt');
        expect(validation).toMatchObject({ '@id': 'entra-token', '@failed-validation-httpcode': '401', '@output-token-variable-name': 'entra-token', '@require-signed-tokens': 'true', '@require-expiration-time': 'true' });
        const check = list(branch, 'choose').map((c) => String(list(c, 'when')[0]?.['@condition'])).find((condition) => condition.includes('new string[]')) ?? '';
        return { ...validationOf(validation), apps: /new string\[\] \{ (.*) \}\.Contains/.exec(check)?.[1]?.split(', ').map((id) => id.replaceAll('"', '')) ?? [] };
      }),
    ).toEqual(expected);
    // Routed by exact string equality, never by a pattern.
    for (const [i, branch] of branches.entries()) {
      const condition = String(branch['@condition']);
      for (const issuer of expected[i]?.issuers ?? []) expect(condition).toContain(`(string)context.Variables["entra-issuer"] == "${issuer}"`);
      expect(condition).not.toMatch(/StartsWith|EndsWith|Contains|Regex|\*/);
    }
    if (expected.length > 3) expect(String(branches[3]?.['@condition'])).toContain('string.Equals((string)context.Variables["entra-user-flow"], "b2c_1_signupsignin", StringComparison.OrdinalIgnoreCase)');
  });

  it.each(protectedOperations)("%s: demand the method's scopes of delegated tokens and its app roles of app-only ones, against the branch's own source (403)", (_name, { rule, ...o }) => {
    if ('anyValidToken' in rule) throw new Error('no ANY_VALID_TOKEN route in this table; extend the test when one is added');
    const expected = sourcesFor(templateOf({ rule, ...o }));
    const branches = list(list(parse(deployed(templateOf({ rule, ...o }), WITHOUT_APPS, [])).inbound, 'choose')[0], 'when');
    expect(branches).toHaveLength(expected.length);
    for (const [i, branch] of branches.entries()) {
      // No allow-list anywhere: the caller-app check is left out, only the permission choice follows the validation.
      const [permission, ...rest] = list(branch, 'choose');
      expect(rest).toEqual([]);
      const [delegated] = list(permission, 'when');
      expect(String(delegated?.['@condition'])).toBe('@(((Jwt)context.Variables["entra-token"]).Claims.ContainsKey("scp"))');
      const check = (block: Node | undefined, name: 'scp' | 'roles', requirement: Requirement | undefined, extra: Requirement | undefined) => {
        if (!requirement) {
          expect(answerOf(block ?? {})).toMatchObject({ status: '403', code: 'insufficient_scope' });
          return;
        }
        const validation = one(block, 'validate-jwt');
        expect(validation['@failed-validation-httpcode']).toBe('403');
        expect(String(validation['@id'])).toMatch(/^entra-permission-/);
        expect(validationOf(validation)).toEqual({ documents: expected[i]?.documents, issuers: expected[i]?.issuers, audiences: expected[i]?.audiences });
        expect(claimsOf(validation)).toEqual([expectedClaim(name, requirement), ...(extra ? [expectedClaim('roles', extra)] : [])]);
      };
      check(delegated, 'scp', rule.scopes, rule.userRoles);
      check(permission?.otherwise as Node, 'roles', rule.appRoles, undefined);
    }
  });

  it.each(protectedOperations)('%s: answer as the single-tenant policy does: no token, a token no branch claims, a refused one, a missing permission', (_name, { rule, ...o }) => {
    const policy = parse(deployed(templateOf({ rule, ...o }), AUTHORITIES, []));
    const realm = `Bearer realm="${DEPLOYMENT.appIdUri}"`;
    const scope = 'anyValidToken' in rule ? '' : [...new Set([...(rule.appRoles ? requirementNames(rule.appRoles) : []), ...(rule.scopes ? requirementNames(rule.scopes) : [])])].join(' ');
    const invalid = { status: '401', challenge: expect.stringMatching(new RegExp(`^${realm}, error="invalid_token", error_description="[^"]+"$`)) as unknown, code: 'gateway_token_invalid' };
    const unclaimed = one(list(policy.inbound, 'choose')[0]?.otherwise, 'choose');
    expect([answerOf(list(unclaimed, 'when')[0] ?? {}), answerOf(unclaimed.otherwise as Node)]).toEqual([{ status: '401', challenge: realm, code: 'token_missing' }, invalid]);
    expect(list(one(policy['on-error'], 'choose'), 'when').map(answerOf)).toEqual([
      { status: '401', challenge: realm, code: 'token_missing' },
      invalid,
      { status: '403', challenge: expect.stringMatching(new RegExp(`^${realm}, error="insufficient_scope", error_description="[^"]+", scope="${scope}"$`)) as unknown, code: 'insufficient_scope' },
    ]);
    const limit = (policy.inbound as Node)['rate-limit-by-key'] as Node;
    expect(limit).toMatchObject({ '@calls': String(DEPLOYMENT.calls), '@renewal-period': String(DEPLOYMENT.period) });
  });

  it("give a method that names authorities the branches of those only, and External ID without its login.microsoftonline.com source when it is not accepted", () => {
    const [, get] = protectedOperations[0] ?? [];
    const onlyEmployees = { ...templateOf(get!), authorities: ['employees'] };
    const issuersOf = (xml: string) => list(list(parse(xml).inbound, 'choose')[0], 'when').map((w) => validationOf(one(w, 'validate-jwt')).issuers);
    expect(issuersOf(deployed(onlyEmployees, AUTHORITIES, []))).toEqual([KEY_SOURCES[0]?.issuers]);
    const ciamOnly: Entry[] = [{ ...(AUTHORITIES[1] as Entry), acceptMicrosoftOnlineIssuer: false }];
    expect(issuersOf(deployed(templateOf(get!), ciamOnly, []))).toEqual([[`https://${CIAM}.ciamlogin.com/${CIAM}/v2.0`]]);
  });

  it('give the staff\'s routes (authorityKinds workforce) the workforce branches only, and /me every authority\'s', () => {
    const byName = (name: string) => templates.operations.find((t) => `${t.method} ${t.path}` === name);
    const sourceCount = (name: string) => list(list(parse(deployed(byName(name) as AuthorityOperationTemplate, AUTHORITIES, [])).inbound, 'choose')[0], 'when').length;
    expect(byName('GET /orders')?.authorityKinds).toEqual(['workforce']);
    expect(byName('POST /manage/revocations')?.authorityKinds).toEqual(['workforce']);
    expect(byName('GET /me')?.authorityKinds).toBeNull();
    expect(sourceCount('GET /orders')).toBe(1);
    expect(sourceCount('GET /me')).toBe(KEY_SOURCES.length);
  });

  it("pass the caller's Authorization header on and never swap it for the gateway's identity", () => {
    for (const operation of templates.operations) {
      expect(deployed(operation, AUTHORITIES, [DEFAULT_APP])).not.toMatch(/authentication-managed-identity|set-header name="Authorization"|exists-action="delete"|validate-azure-ad-token/i);
    }
  });
});

describe('apiManagement.bicep and the generated templates', () => {
  it('name the same placeholders, so no generated placeholder is left unreplaced at deployment', () => {
    const bicep = readFileSync(path.join(root, 'infra/modules/apiManagement.bicep'), 'utf8');
    for (const placeholder of Object.values(AUTHORITY_PLACEHOLDERS)) expect({ placeholder, inBicep: bicep.includes(`'${placeholder}'`) }).toEqual({ placeholder, inBicep: true });
    for (const kind of ['workforce', 'externalId', 'externalIdMicrosoftOnline', 'b2c']) expect(bicep).toContain(`templates.${kind}`);
    expect(bicep).toContain("loadJsonContent('../apim/authorityPolicies.json')");
  });
});

describeCompiled('several authorities in the compiled ARM JSON', () => {
  const infra = compiledInfra().compiled!;
  // Raw expression text: the expression parser does not read Bicep's own function namespace (__bicep.f).
  // Bicep inlines main.bicep's authorities variable (it names module outputs) into each module's parameters.
  const moduleParameter = (name: string, parameter: string) => JSON.stringify(at(infra.modules.find((m) => m.name === name)?.deployment, 'properties', 'parameters', parameter));

  it('give the function app and the gateway one list, empty by default', () => {
    expect(infra.main.parameters?.additionalAuthorities?.defaultValue).toEqual([]);
    const functionApp = moduleParameter('functionApp', 'authorities');
    expect(functionApp).toMatch(/^"\[if\(empty\(parameters\('additionalAuthorities'\)\), createObject\('value', createArray\(\)\), createObject\('value', concat\(createArray\(createObject\('kind', 'workforce', 'name', parameters\('workforceAuthorityName'\), 'tenantId', tenant\(\)\.tenantId/);
    expect(moduleParameter('apiManagement', 'authorities')).toBe(functionApp);
  });

  it('keep the single-tenant policy and settings when the list is empty, AUTH_AUTHORITIES otherwise', () => {
    const [policies] = infra.resources.filter((r) => r.type === 'Microsoft.ApiManagement/service/apis/operations/policies');
    expect(JSON.stringify(at(policies?.json, 'properties', 'value'))).toContain("if(empty(parameters('authorities')), variables('policies')[copyIndex()].xml, replace(variables('authorityPolicies').operations[copyIndex()].xml");
    const [settings] = infra.resources.filter((r) => r.type === 'Microsoft.Web/sites/config');
    const text = JSON.stringify(settings?.json.properties);
    expect(text).toContain("if(empty(parameters('authorities')), createObject('AUTH_TENANT_ID'");
    expect(text).toContain("createObject('AUTH_AUTHORITIES', string(parameters('authorities')))");
  });
});
