import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { at, compiledInfra, describeCompiled, describeSourceFallback, expr, resolve, resourceIdType, roleDefinitionOf } from './support/armTemplate';
import { elements, isCall, prop, referencedGuid, stringValue } from './support/bicepModel';
import { filesUnder, INFRA_DIR, loadInfra, REPO_ROOT, type Infra } from './support/infraFiles';

/** Telemetry the app emits (the names the queries and the alert rely on). */
const AUTH_FAILURE_EVENT = 'AuthFailure';
const AUTH_FAILURE_PROPERTIES = ['code', 'check', 'method', 'route', 'functionName', 'invocationId', 'tenantId', 'clientAppId', 'unverifiedTenantId', 'unverifiedClientAppId', 'tokenVersion', 'kid'];
const AUTH_SUCCESS_METRIC = 'AuthSuccess';
const AUTH_SUCCESS_DIMENSIONS = ['functionName', 'tenantId', 'result'];

const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb';
const KQL_DIR = join(INFRA_DIR, 'kql');
const REQUIRED_QUERIES = [
  'auth-failure-rate-per-hour.kql',
  'top-failing-callers.kql',
  'failures-by-code.kql',
  'successful-authorizations-by-tenant.kql',
  'auth-failure-spike-alert.kql',
];

const queries = filesUnder(KQL_DIR, '.kql').map((path) => ({ name: basename(path), text: readFileSync(path, 'utf8') }));
const withoutComments = (kql: string) => kql.replace(/\/\/.*$/gm, '');
/** Each `customEvents`/`customMetrics` pipeline in a query, with the names it filters on and the dimensions it reads. */
function tablesUsed(kql: string) {
  const code = withoutComments(kql);
  const parts = code.split(/(?=\bcustom(?:Events|Metrics)\b)/).filter((part) => /^custom(Events|Metrics)\b/.test(part));
  return parts.map((part) => ({
    table: part.startsWith('customEvents') ? 'customEvents' : 'customMetrics',
    names: [...part.matchAll(/\bname\s*==\s*"([^"]*)"/g)].map((m) => m[1]),
    dimensions: [...part.matchAll(/customDimensions(?:\.(\w+)|\["([^"]+)"\])/g)].map((m) => m[1] ?? m[2]),
  }));
}

describeCompiled('monitoring (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;
  const spikeQuery = readFileSync(join(KQL_DIR, 'auth-failure-spike-alert.kql'), 'utf8');

  it('keeps Application Insights workspace-based and Entra-only for ingestion', () => {
    const appInsights = infra.single('Microsoft.Insights/components');
    expect(at(appInsights.json, 'properties', 'DisableLocalAuth')).toBe(true);
    expect(resourceIdType(at(appInsights.json, 'properties', 'WorkspaceResourceId'))).toBe('Microsoft.OperationalInsights/workspaces');
  });

  it('turns off shared-key access to the Log Analytics workspace', () => {
    expect(at(infra.single('Microsoft.OperationalInsights/workspaces').json, 'properties', 'features', 'disableLocalAuth')).toBe(true);
  });

  it('lets the app identity publish telemetry on the Application Insights resource', () => {
    const grants = infra.declared('Microsoft.Authorization/roleAssignments').filter((ra) => resourceIdType(ra.json.scope) === 'Microsoft.Insights/components');
    expect(grants.map((ra) => roleDefinitionOf(ra))).toContain(MONITORING_METRICS_PUBLISHER);
  });

  it('alerts on a spike of AuthFailure events with the query shipped in infra/kql, compiled in verbatim', () => {
    const rules = infra.declared('Microsoft.Insights/scheduledQueryRules').filter((rule) => {
      const [criterion] = (at(rule.json, 'properties', 'criteria', 'allOf') ?? []) as never[];
      return resolve(rule, at(criterion, 'query')) === spikeQuery;
    });
    expect(rules).toHaveLength(1);
    const rule = rules[0]!;
    const properties = at(rule.json, 'properties');
    expect([rule.json.kind, at(properties, 'enabled')]).toEqual(['LogAlert', true]);
    expect((at(properties, 'scopes') as string[]).map((scope) => resourceIdType(scope))).toEqual(['Microsoft.Insights/components']);
    const [criterion] = at(properties, 'criteria', 'allOf') as never[];
    expect([at(criterion, 'timeAggregation'), at(criterion, 'operator')]).toEqual(['Count', 'GreaterThan']);
    expect(expr(at(criterion, 'threshold'))).toMatch(/^parameters\('\w+'\)$/);
  });
});

describeSourceFallback('monitoring (source, tree-sitter fallback)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const single = (type: string) => infra.single(type);

  it('keeps Application Insights workspace-based and Entra-only for ingestion', () => {
    const properties = prop(single('Microsoft.Insights/components').body, 'properties');
    expect(prop(properties, 'DisableLocalAuth')?.text).toBe('true');
    expect(prop(properties, 'WorkspaceResourceId')).toBeDefined();
  });

  it('turns off shared-key access to the Log Analytics workspace', () => {
    expect(prop(single('Microsoft.OperationalInsights/workspaces').body, 'properties', 'features', 'disableLocalAuth')?.text).toBe('true');
  });

  it('lets the app identity publish telemetry on the Application Insights resource', () => {
    const appInsights = single('Microsoft.Insights/components');
    const grant = infra.declared('Microsoft.Authorization/roleAssignments').filter((ra) => ra.file.path === appInsights.file.path && prop(ra.body, 'scope')?.text === appInsights.symbol);
    expect(grant).toHaveLength(1);
    expect(referencedGuid(appInsights.file.root, prop(grant[0]!.body, 'properties', 'roleDefinitionId'))).toBe(MONITORING_METRICS_PUBLISHER);
  });

  it('alerts on a spike of AuthFailure events, reading the query shipped in infra/kql', () => {
    const rule = single('Microsoft.Insights/scheduledQueryRules');
    const properties = prop(rule.body, 'properties');
    expect(stringValue(prop(rule.body, 'kind'))).toBe('LogAlert');
    expect(prop(properties, 'enabled')?.text).toBe('true');
    expect(elements(prop(properties, 'scopes')).map((n) => n.text)).toEqual([`${single('Microsoft.Insights/components').symbol}.id`]);
    const [criterion] = elements(prop(properties, 'criteria', 'allOf'));
    const query = prop(criterion, 'query');
    expect(isCall(query, 'loadTextContent')).toBe(true);
    const queryPath = stringValue(query?.childForFieldName('arguments')?.namedChildren[0] ?? undefined) ?? '';
    const resolved = join(dirname(rule.file.absolutePath), queryPath);
    expect(relative(REPO_ROOT, resolved).split('\\').join('/')).toBe('infra/kql/auth-failure-spike-alert.kql');
    expect(tablesUsed(readFileSync(resolved, 'utf8'))).toEqual([expect.objectContaining({ table: 'customEvents', names: [AUTH_FAILURE_EVENT] })]);
    expect(stringValue(prop(criterion, 'timeAggregation'))).toBe('Count');
    expect(stringValue(prop(criterion, 'operator'))).toBe('GreaterThan');
  });
});

describe('the KQL queries in infra/kql', () => {
  it('ships every query a user needs', () => {
    expect(REQUIRED_QUERIES.filter((name) => !queries.some((q) => q.name === name))).toEqual([]);
  });

  // key-vault-*.kql read Key Vault's audit log in the workspace; keyVaultAudit.test.ts checks them.
  it.each(queries.filter((q) => !q.name.startsWith('key-vault-')).map((q) => [q.name, q.text] as const))('%s reads only the telemetry names the app emits', (_name, text) => {
    const used = tablesUsed(text);
    expect(used.length).toBeGreaterThan(0);
    for (const { table, names, dimensions } of used) {
      if (table === 'customEvents') {
        expect(names).toEqual([AUTH_FAILURE_EVENT]);
        expect(dimensions.filter((d) => !AUTH_FAILURE_PROPERTIES.includes(d ?? ''))).toEqual([]);
      } else {
        expect(names).toEqual([AUTH_SUCCESS_METRIC]);
        expect(dimensions.filter((d) => !AUTH_SUCCESS_DIMENSIONS.includes(d ?? ''))).toEqual([]);
      }
    }
  });

  it('breaks failures down by caller and by code, and successes by tenant', () => {
    const byName = (name: string) => withoutComments(queries.find((q) => q.name === name)?.text ?? '');
    expect(byName('top-failing-callers.kql')).toMatch(/by clientAppId\b/);
    expect(byName('failures-by-code.kql')).toMatch(/by code\b/);
    expect(byName('successful-authorizations-by-tenant.kql')).toMatch(/by tenantId\b/);
    expect(byName('auth-failure-rate-per-hour.kql')).toMatch(/bin\(timestamp, 1h\)/);
  });

  it('names callers only by verified IDs: a refused token\'s claims are read only as unverified* and never renamed to clientAppId or tenantId', () => {
    for (const { name, text } of queries.filter((q) => !q.name.startsWith('key-vault-'))) {
      const code = withoutComments(text);
      // e.g. `clientAppId = tostring(customDimensions.unverifiedClientAppId)` would put a forged claim in the caller column.
      expect({ name, laundered: /\b(clientAppId|tenantId)\s*=\s*tostring\(customDimensions\.unverified/i.test(code) }).toEqual({ name, laundered: false });
      expect({ name, coalesced: /coalesce\([^)]*unverified/i.test(code) }).toEqual({ name, coalesced: false });
    }
    expect(withoutComments(queries.find((q) => q.name === 'top-failing-callers.kql')?.text ?? '')).toMatch(/clientAppId = tostring\(customDimensions\.clientAppId\)/);
  });
});
