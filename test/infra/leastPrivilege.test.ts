import { elements, prop, referencedGuid, stringValue, variables } from './support/bicepModel';
import { loadInfra, readRepoFile, type Infra } from './support/infraFiles';

/** What the app does with its key: read versions and public halves, and sign. */
const SIGNER_DATA_ACTIONS = ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/sign/action'];

/** Built-in roles by ID, as docs/deploy.md names them. */
const BUILT_IN_ROLES: Record<string, string> = {
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
};

/** Every queue data role: the app has no queue trigger, so it holds none. */
const QUEUE_ROLES = [
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88', // Storage Queue Data Contributor
  '19e7f393-937e-4f77-808e-94535e297925', // Storage Queue Data Reader
  '8a0f0c08-91a1-4084-bc3d-661d67233fed', // Storage Queue Data Message Processor
  'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a', // Storage Queue Data Message Sender
];

/** How the role table in docs/deploy.md names each scope type. */
const SCOPE_WORDING: Record<string, string> = {
  'Microsoft.KeyVault/vaults/keys': 'signing key',
  'Microsoft.Insights/components': 'Application Insights',
  'Microsoft.Storage/storageAccounts': 'storage account',
  'Microsoft.Storage/storageAccounts/tableServices/tables': 'table',
};

describe('least privilege for the app identity', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const signerRole = () => infra.single('Microsoft.Authorization/roleDefinitions');

  it('defines a custom role with exactly the key read and sign data actions, and no control-plane action', () => {
    const role = signerRole();
    const [permission, ...more] = elements(prop(role.body, 'properties', 'permissions'));
    expect(more).toEqual([]);
    const dataActions = prop(permission, 'dataActions');
    const listed = dataActions?.type === 'identifier' ? variables(role.file.root).get(dataActions.text) : dataActions;
    expect(elements(listed).map((n) => stringValue(n))).toEqual(SIGNER_DATA_ACTIONS);
    for (const empty of ['actions', 'notActions', 'notDataActions']) expect({ [empty]: prop(permission, empty)?.text }).toEqual({ [empty]: '[]' });
    expect(stringValue(prop(role.body, 'properties', 'type'))).toBe('CustomRole');
  });

  it('names the role uniquely in the tenant and lets it be assigned in its own resource group only', () => {
    const role = signerRole();
    // The GUID name must be unique per tenant: seeded with the resource group ID, which holds the subscription.
    expect(prop(role.body, 'name')?.text).toMatch(/^guid\(resourceGroup\(\)\.id, '[^']+'\)$/);
    // Display names must be unique per tenant too: the vault's name is globally unique.
    expect(prop(role.body, 'properties', 'roleName')?.text).toContain('${vaultName}');
    expect(prop(role.body, 'properties', 'assignableScopes')?.text).toMatch(/^\[\s*resourceGroup\(\)\.id\s*\]$/);
  });

  it('assigns that role, and only that role, on the signing key', () => {
    const key = infra.single('Microsoft.KeyVault/vaults/keys');
    const onKey = infra.declared('Microsoft.Authorization/roleAssignments').filter((ra) => ra.file.path === key.file.path && prop(ra.body, 'scope')?.text === key.symbol);
    expect(onKey).toHaveLength(1);
    expect(prop(onKey[0]!.body, 'properties', 'roleDefinitionId')?.text).toBe(`subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${signerRole().symbol}.name)`);
    expect(prop(onKey[0]!.body, 'name')?.text).toContain(`${signerRole().symbol}.id`);
  });

  it('grants no data action that lets the app change, back up or export its key', () => {
    const source = infra.files.map((f) => f.source).join('\n');
    expect(source).not.toMatch(/Microsoft\.KeyVault\/vaults\/keys\/(update|backup|restore|delete|create|import|release|rotate|setRotationPolicy)\b/);
    expect(source).not.toMatch(/Microsoft\.KeyVault\/vaults\/keys\/\*/);
  });

  it('neither sets a queue endpoint for the host nor grants any queue role', () => {
    const source = infra.files.map((f) => f.source).join('\n');
    expect(source).not.toMatch(/queueServiceUri/);
    const roles = infra.declared('Microsoft.Authorization/roleAssignments').map((ra) => referencedGuid(ra.file.root, prop(ra.body, 'properties', 'roleDefinitionId')));
    expect(roles.filter((id) => QUEUE_ROLES.includes(id ?? ''))).toEqual([]);
  });

  it('lists every role assignment in docs/deploy.md with its scope and a reason', () => {
    const rows = readRepoFile('docs/deploy.md')
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const undocumented = infra.declared('Microsoft.Authorization/roleAssignments').flatMap((ra) => {
      const scopeType = ra.file.resources.find((r) => r.symbol === prop(ra.body, 'scope')?.text)?.type ?? '(no scope)';
      const custom = prop(ra.body, 'properties', 'roleDefinitionId')?.text.includes(`${signerRole().symbol}.name`);
      const role = custom ? 'Signing key signer' : BUILT_IN_ROLES[referencedGuid(ra.file.root, prop(ra.body, 'properties', 'roleDefinitionId')) ?? ''];
      const scope = SCOPE_WORDING[scopeType];
      const row = rows.find(([, roleCell = '', scopeCell = '', reason = '']) => role && scope && roleCell.startsWith(role) && scopeCell.includes(scope) && reason.length > 20);
      return row ? [] : [`${ra.file.path}: ${ra.symbol} (${role ?? 'unknown role'} on ${scopeType})`];
    });
    expect(undocumented).toEqual([]);
  });
});
