import { isCall, prop, referencedGuid, stringValue } from './support/bicepModel';
import { loadInfra, type Infra } from './support/infraFiles';

/** Built-in roles the app identity is given, each on one resource type. */
const EXPECTED_GRANTS = [
  { role: 'Key Vault Crypto User', id: '12338af0-0e69-4776-bea7-57ae8d297424', scopeType: 'Microsoft.KeyVault/vaults/keys' },
  { role: 'Monitoring Metrics Publisher', id: '3913510d-42f4-4e42-8a64-420c390055eb', scopeType: 'Microsoft.Insights/components' },
  { role: 'Storage Blob Data Owner', id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', scopeType: 'Microsoft.Storage/storageAccounts' },
  { role: 'Storage Table Data Contributor', id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', scopeType: 'Microsoft.Storage/storageAccounts' },
  { role: 'Storage Table Data Contributor', id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', scopeType: 'Microsoft.Storage/storageAccounts/tableServices/tables' },
];

describe('role assignments', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const assignments = () => infra.declared('Microsoft.Authorization/roleAssignments');

  it('grants exactly the expected roles, each scoped to its one resource', () => {
    const found = assignments().map((ra) => {
      const scope = prop(ra.body, 'scope')?.text;
      const target = ra.file.resources.find((r) => r.symbol === scope);
      return { id: referencedGuid(ra.file.root, prop(ra.body, 'properties', 'roleDefinitionId')), scopeType: target?.type };
    });
    expect(found.sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''))).toEqual(
      EXPECTED_GRANTS.map(({ id, scopeType }) => ({ id, scopeType })).sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('gives every assignment a deterministic guid() name', () => {
    for (const ra of assignments()) expect({ symbol: ra.symbol, guidName: isCall(prop(ra.body, 'name'), 'guid') }).toEqual({ symbol: ra.symbol, guidName: true });
  });

  it('seeds every name with the scope, the principal and the role, so no two assignments collide', () => {
    for (const ra of assignments()) {
      const args = prop(ra.body, 'name')?.childForFieldName('arguments')?.namedChildren.map((n) => n.text) ?? [];
      expect(args).toHaveLength(3);
      expect(args[0]).toMatch(/\.id$/);
    }
  });

  it("declares principalType 'ServicePrincipal' on every assignment", () => {
    for (const ra of assignments()) {
      expect({ symbol: ra.symbol, principalType: stringValue(prop(ra.body, 'properties', 'principalType')) }).toEqual({ symbol: ra.symbol, principalType: 'ServicePrincipal' });
    }
  });

  it('names role definitions through subscriptionResourceId', () => {
    for (const ra of assignments()) expect(isCall(prop(ra.body, 'properties', 'roleDefinitionId'), 'subscriptionResourceId')).toBe(true);
  });

  it('never grants a role at resource group or subscription scope', () => {
    for (const ra of assignments()) expect(prop(ra.body, 'scope')).toBeDefined();
    expect(infra.file('infra/main.bicep').resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')).toEqual([]);
  });
});
