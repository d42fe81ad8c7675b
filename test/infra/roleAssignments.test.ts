import { exprText, parseExpression } from './support/armExpression';
import { at, compiledInfra, describeCompiled, describeSourceFallback, expr, resolve, resourceIdType, roleDefinitionOf, type ArmResource } from './support/armTemplate';
import { isCall, prop, referencedGuid, stringValue } from './support/bicepModel';
import { loadInfra, type Infra } from './support/infraFiles';

/**
 * Roles the app identity is given, each on one resource type; a custom role by its Bicep symbol
 * in the source and by its name expression as compiled.
 */
const EXPECTED_GRANTS = [
  {
    role: 'Signing key signer (custom: keys/read, keys/sign/action)',
    id: 'custom:keySignerRole',
    compiledId: "custom:[guid(resourceGroup().id, 'signing-key-signer')]",
    scopeType: 'Microsoft.KeyVault/vaults/keys',
  },
  { role: 'Monitoring Metrics Publisher', id: '3913510d-42f4-4e42-8a64-420c390055eb', scopeType: 'Microsoft.Insights/components' },
  { role: 'Storage Blob Data Owner', id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', scopeType: 'Microsoft.Storage/storageAccounts' },
  { role: 'Storage Table Data Contributor', id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', scopeType: 'Microsoft.Storage/storageAccounts' },
  { role: 'Storage Table Data Contributor', id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', scopeType: 'Microsoft.Storage/storageAccounts/tableServices/tables' },
];

/** Built-in roles that would let the app change what it runs on or who may do what; never granted. */
const PRIVILEGED_ROLES = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'Role Based Access Control Administrator',
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': 'Key Vault Administrator',
  '17d1049b-9a84-46fb-8f53-869881c3d3ab': 'Storage Account Contributor',
};

describeCompiled('role assignments (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;
  const assignments = () => infra.declared('Microsoft.Authorization/roleAssignments');
  const where = (ra: ArmResource) => ({ module: ra.modulePath.join('/'), role: roleDefinitionOf(ra), scope: resourceIdType(ra.json.scope) });

  it('grants each role the app identity needs to that identity, on its resource or one inside it', () => {
    const found = assignments().map((ra) => ({
      ...where(ra),
      principal: expr(resolve(ra, at(ra.json, 'properties', 'principalId'))),
    }));
    for (const grant of EXPECTED_GRANTS) {
      const { scopeType } = grant;
      const id = 'compiledId' in grant ? grant.compiledId : grant.id;
      // A narrower scope (a table inside the account, say) satisfies the grant; a wider one never does.
      const grants = found.filter((f) => f.role === id && (f.scope === scopeType || f.scope?.startsWith(`${scopeType}/`)));
      expect({ id, scopeType, granted: grants.length > 0 }).toEqual({ id, scopeType, granted: true });
      // main.bicep compiles to languageVersion 2.0 (its typed parameters), where a module is referenced by its symbolic name.
      for (const grant of grants) expect(grant.principal).toMatch(/(?:'Microsoft\.Resources\/deployments', 'identity'\).*|^reference\('identity'\))\.outputs\.principalId\.value$/);
    }
  });

  it('grants no privileged built-in role, and names every role by a GUID or a role defined alongside', () => {
    for (const ra of assignments()) {
      const role = roleDefinitionOf(ra);
      expect({ ...where(ra), known: role !== undefined, privileged: role !== undefined && role in PRIVILEGED_ROLES }).toEqual({ ...where(ra), known: true, privileged: false });
    }
  });

  it('gives every assignment a deterministic guid() name seeded with its scope, principal and role', () => {
    for (const ra of assignments()) {
      const name = parseExpression(ra.json.name as string);
      expect({ ...where(ra), fn: name.kind === 'call' ? name.fn : name.kind, args: name.kind === 'call' ? name.args.length : 0 }).toEqual({ ...where(ra), fn: 'guid', args: 3 });
      const [seedScope] = name.kind === 'call' ? name.args : [];
      expect({ ...where(ra), seed: seedScope && exprText(seedScope) }).toEqual({ ...where(ra), seed: expr(ra.json.scope) });
    }
  });

  it("declares principalType 'ServicePrincipal' on every assignment", () => {
    for (const ra of assignments()) expect({ ...where(ra), principalType: at(ra.json, 'properties', 'principalType') }).toEqual({ ...where(ra), principalType: 'ServicePrincipal' });
  });

  it('never grants a role at resource group or subscription scope', () => {
    for (const ra of assignments()) {
      expect({ ...where(ra), hasScope: typeof ra.json.scope === 'string' }).toEqual({ ...where(ra), hasScope: true });
      expect(resourceIdType(ra.json.scope)).not.toMatch(/^Microsoft\.Resources\/(resourceGroups|subscriptions)$/);
    }
    expect(infra.declared('Microsoft.Authorization/roleAssignments').filter((ra) => ra.modulePath.length === 0)).toEqual([]);
  });
});

describeSourceFallback('role assignments (source, tree-sitter fallback)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const assignments = () => infra.declared('Microsoft.Authorization/roleAssignments');

  it('grants exactly the expected roles, each scoped to its one resource', () => {
    const found = assignments().map((ra) => {
      const scope = prop(ra.body, 'scope')?.text;
      const target = ra.file.resources.find((r) => r.symbol === scope);
      const roleDefinitionId = prop(ra.body, 'properties', 'roleDefinitionId');
      const custom = ra.file.resources.find((r) => r.type === 'Microsoft.Authorization/roleDefinitions' && roleDefinitionId?.text.includes(`${r.symbol}.name`));
      return { id: custom ? `custom:${custom.symbol}` : referencedGuid(ra.file.root, roleDefinitionId), scopeType: target?.type };
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
