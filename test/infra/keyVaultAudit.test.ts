import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { elements, modules, parameters, prop, stringValue, variables } from './support/bicepModel';
import { INFRA_DIR, loadInfra, readRepoFile, type Infra } from './support/infraFiles';

const EXPIRY_EVENTS = ['Microsoft.KeyVault.KeyNearExpiry', 'Microsoft.KeyVault.KeyExpired'];
const AUDIT_QUERY = 'key-vault-signing-key-audit.kql';
const auditQuery = readFileSync(join(INFRA_DIR, 'kql', AUDIT_QUERY), 'utf8');
const withoutComments = (kql: string) => kql.replace(/\/\/.*$/gm, '');

describe('a signing key rotation nobody misses', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const single = (type: string) => infra.single(type);
  const moduleBody = (file: string, path: string) => modules(infra.file(file).root).find((m) => m.path === path)?.node.namedChildren.find((child) => child.type === 'object');
  /** What the vault module hands the guard module, followed back to main.bicep's argument. */
  const guardParam = (name: string) => {
    const passed = prop(moduleBody('infra/modules/signingKeyVault.bicep', 'signingKeyAlerts.bicep'), 'params', name)?.text ?? '';
    return prop(moduleBody('infra/main.bicep', 'modules/signingKeyVault.bicep'), 'params', passed)?.text ?? passed;
  };

  it("puts an Event Grid system topic on the signing key's vault", () => {
    const topic = single('Microsoft.EventGrid/systemTopics');
    const vault = topic.file.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults');
    expect(vault?.existing).toBe(true);
    expect(prop(topic.body, 'properties', 'source')?.text).toBe(`${vault?.symbol}.id`);
    expect(stringValue(prop(topic.body, 'properties', 'topicType'))).toBe('Microsoft.KeyVault.vaults');
    expect(guardParam('vaultName')).toBe('vault.name');
  });

  it('subscribes and starts auditing before the key exists: Key Vault raises expiry events only for versions created after', () => {
    const key = single('Microsoft.KeyVault/vaults/keys');
    const guards = modules(key.file.root).find((m) => m.path === 'signingKeyAlerts.bicep');
    expect(guards).toBeDefined();
    expect(prop(key.body, 'dependsOn')?.text).toMatch(new RegExp(`^\\[\\s*${guards?.symbol ?? '?'}\\s*\\]$`));
  });

  it('subscribes to near-expiry and expired events, each becoming an Azure Monitor alert', () => {
    const subscriptions = single('Microsoft.EventGrid/systemTopics/eventSubscriptions');
    // One subscription per entry of the list the loop runs over.
    const loopList = /for \w+ in (\w+):/.exec(subscriptions.node.text)?.[1] ?? '';
    const entries = elements(variables(subscriptions.file.root).get(loopList));
    expect(entries.map((entry) => stringValue(prop(entry, 'eventType')))).toEqual(EXPIRY_EVENTS);
    for (const entry of entries) expect(stringValue(prop(entry, 'severity'))).toMatch(/^Sev[0-4]$/);
    expect(prop(subscriptions.body, 'properties', 'filter', 'includedEventTypes')?.text).toMatch(/\[\s*\w+\.eventType\s*\]/);
    const destination = prop(subscriptions.body, 'properties', 'destination');
    expect(stringValue(prop(destination, 'endpointType'))).toBe('MonitorAlert');
    expect(prop(destination, 'properties', 'actionGroups')?.text).toBe('actionGroupIds');
    expect(stringValue(prop(subscriptions.body, 'properties', 'eventDeliverySchema'))).toBe('CloudEventSchemaV1_0');
  });

  it('notifies the same action group as the auth-failure alert: an email to alertEmailAddress', () => {
    expect(guardParam('actionGroupIds')).toBe('monitoring.outputs.actionGroupIds');
    const monitoring = infra.file('infra/modules/monitoring.bicep');
    const group = single('Microsoft.Insights/actionGroups');
    expect(group.file.path).toBe(monitoring.path);
    expect(variables(monitoring.root).get('actionGroupIds')?.text).toBe(`empty(alertEmailAddress) ? [] : [${group.symbol}.id]`);
    expect(prop(elements(prop(group.body, 'properties', 'emailReceivers'))[0], 'emailAddress')?.text).toBe('alertEmailAddress');
    expect(prop(single('Microsoft.Insights/scheduledQueryRules').body, 'properties', 'actions', 'actionGroups')?.text).toBe('actionGroupIds');
    expect(prop(moduleBody('infra/main.bicep', 'modules/monitoring.bicep'), 'params', 'alertEmailAddress')?.text).toBe('alertEmailAddress');
  });

  it("sends the vault's AuditEvent log to the Log Analytics workspace", () => {
    const setting = single('Microsoft.Insights/diagnosticSettings');
    const vault = setting.file.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults');
    expect(prop(setting.body, 'scope')?.text).toBe(vault?.symbol);
    const logs = elements(prop(setting.body, 'properties', 'logs'));
    expect(logs.map((log) => [stringValue(prop(log, 'category')), prop(log, 'enabled')?.text])).toEqual([['AuditEvent', 'true']]);
    // Dedicated: the resource-specific AZKVAuditLogs table the audit query reads.
    expect(stringValue(prop(setting.body, 'properties', 'logAnalyticsDestinationType'))).toBe('Dedicated');
    expect(prop(setting.body, 'properties', 'workspaceId')?.text).toBe('workspaceId');
    expect(guardParam('workspaceId')).toBe('monitoring.outputs.workspaceId');
  });

  it('ships a query for who signed with the key or changed it, reading the audit table', () => {
    const code = withoutComments(auditQuery);
    expect([...code.matchAll(/^(\w+)\s*$/gm)].map((m) => m[1])).toEqual(['AZKVAuditLogs']);
    expect(code).toMatch(/OperationName == "KeySign"/);
    expect(code).toMatch(/OperationName !in \(reads\)/);
    expect(code).toMatch(/by action, OperationName, callerObjectId, callerAppId, callerUpn, CallerIpAddress/);
    const defaultKey = parameters(infra.file('infra/main.bicep').root).find((p) => p.name === 'signingKeyName')?.defaultValue;
    expect(/let signingKeyName = "([^"]+)"/.exec(code)?.[1]).toBe(stringValue(defaultKey));
  });

  it('tells the reader about the alerts and the audit query in docs/deploy.md', () => {
    const doc = readRepoFile('docs/deploy.md');
    for (const event of EXPIRY_EVENTS) expect(doc).toContain(`\`${event}\``);
    expect(doc).toContain(`infra/kql/${AUDIT_QUERY}`);
    expect(doc).toContain('AZKVAuditLogs');
  });
});
