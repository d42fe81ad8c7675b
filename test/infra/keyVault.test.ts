import { at, compiledInfra, customRoleNamed, describeCompiled, describeSourceFallback, expr, resolve, resourceIdType, roleDefinitionOf, type ArmResource, type Json, type JsonObject } from './support/armTemplate';
import { decoratorArgument, elements, isCall, parameters, prop, referencedGuid, stringValue } from './support/bicepModel';
import { loadInfra, type Infra } from './support/infraFiles';

const KEY_VAULT_CRYPTO_USER = '12338af0-0e69-4776-bea7-57ae8d297424';

/** The declaration of the parameter an expression passes straight through, e.g. [parameters('kty')]. */
function parameterBehind(resource: ArmResource, value: unknown) {
  const name = /^parameters\('(\w+)'\)$/.exec(expr(value as string) ?? '')?.[1];
  return name === undefined ? undefined : resource.template.parameters?.[name];
}

describeCompiled('the signing key vault and key (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;
  const vault = () => infra.single('Microsoft.KeyVault/vaults');
  const key = () => infra.single('Microsoft.KeyVault/vaults/keys');
  const vaultProperty = (...path: string[]) => at(vault().json, 'properties', ...path);

  it('authorizes with Azure RBAC and keeps deleted keys recoverable and unpurgeable', () => {
    expect([vaultProperty('enableRbacAuthorization'), vaultProperty('enableSoftDelete'), vaultProperty('enablePurgeProtection')]).toEqual([true, true, true]);
    expect(vaultProperty('accessPolicies')).toBeUndefined();
  });

  it('opens no side doors for VMs, disk encryption or templates', () => {
    for (const flag of ['enabledForDeployment', 'enabledForDiskEncryption', 'enabledForTemplateDeployment']) expect({ flag, value: vaultProperty(flag) }).toEqual({ flag, value: false });
  });

  it('takes public network access and soft-delete retention from bounded parameters', () => {
    expect(parameterBehind(vault(), vaultProperty('publicNetworkAccess'))?.allowedValues).toEqual(['Enabled', 'Disabled']);
    expect(parameterBehind(vault(), vaultProperty('softDeleteRetentionInDays'))).toMatchObject({ type: 'int', minValue: 7, maxValue: 90 });
  });

  it('switches the vault to the premium SKU for HSM-protected keys', () => {
    expect(expr(vaultProperty('sku', 'name'))).toMatch(/^if\(equals\(parameters\('\w+'\), 'RSA-HSM'\), 'premium', 'standard'\)$/);
  });

  it('creates an RSA or RSA-HSM key that can only sign and verify and can never be exported', () => {
    const properties = at(key().json, 'properties');
    expect(parameterBehind(key(), at(properties, 'kty'))?.allowedValues).toEqual(['RSA', 'RSA-HSM']);
    expect(at(properties, 'keyOps')).toEqual(['sign', 'verify']);
    expect([at(properties, 'attributes', 'exportable'), at(properties, 'attributes', 'enabled')]).toEqual([false, true]);
    expect(at(properties, 'release_policy')).toBeUndefined();
  });

  it('gives the first key version an expiry', () => {
    expect(expr(at(key().json, 'properties', 'attributes', 'exp'))).toMatch(/^dateTimeToEpoch\(/);
  });

  it('rotates the key on a schedule and notifies before a version expires', () => {
    const policy = at(key().json, 'properties', 'rotationPolicy');
    expect(at(policy, 'attributes', 'expiryTime')).toBeDefined();
    const actions = (at(policy, 'lifetimeActions') as Json[]).map((action) => ({
      type: (at(action, 'action', 'type') as string).toLowerCase(),
      afterCreate: at(action, 'trigger', 'timeAfterCreate'),
      beforeExpiry: at(action, 'trigger', 'timeBeforeExpiry'),
    }));
    expect(actions.map((a) => a.type).sort()).toEqual(['notify', 'rotate']);
    const rotate = actions.find((a) => a.type === 'rotate')!;
    expect(rotate.afterCreate ?? rotate.beforeExpiry).toBeDefined();
    expect(actions.find((a) => a.type === 'notify')!.beforeExpiry).toBeDefined();
  });

  it('grants only the custom read+sign role on the signing key itself, never on the vault, and never Key Vault Crypto User', () => {
    const assignments = infra.declared('Microsoft.Authorization/roleAssignments');
    expect(assignments.filter((ra) => roleDefinitionOf(ra) === KEY_VAULT_CRYPTO_USER)).toEqual([]);
    const onKey = assignments.filter((ra) => resourceIdType(ra.json.scope) === 'Microsoft.KeyVault/vaults/keys');
    expect(onKey.map((ra) => roleDefinitionOf(ra)?.startsWith('custom:'))).toEqual([true]);
    const role = customRoleNamed(onKey[0]!.template, roleDefinitionOf(onKey[0]!)!.slice('custom:'.length))!;
    const permissions = at(role, 'properties', 'permissions') as JsonObject[];
    expect(permissions).toHaveLength(1);
    expect(at(permissions[0], 'actions')).toEqual([]);
    expect(at(permissions[0], 'notActions')).toEqual([]);
    expect(resolve(onKey[0]!, at(permissions[0], 'dataActions'))).toEqual(['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/sign/action']);
    const onVault = assignments.filter((ra) => resourceIdType(ra.json.scope) === 'Microsoft.KeyVault/vaults');
    expect(onVault.map((ra) => roleDefinitionOf(ra))).toEqual([]);
  });
});

describeSourceFallback('the signing key vault and key (source, tree-sitter fallback)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const single = (type: string) => infra.single(type);

  it('authorizes with Azure RBAC and keeps deleted keys recoverable and unpurgeable', () => {
    const properties = prop(single('Microsoft.KeyVault/vaults').body, 'properties');
    expect(prop(properties, 'enableRbacAuthorization')?.text).toBe('true');
    expect(prop(properties, 'enableSoftDelete')?.text).toBe('true');
    expect(prop(properties, 'enablePurgeProtection')?.text).toBe('true');
    expect(prop(properties, 'softDeleteRetentionInDays')).toBeDefined();
    expect(prop(properties, 'accessPolicies')).toBeUndefined();
  });

  it('opens no side doors for VMs, disk encryption or templates', () => {
    const properties = prop(single('Microsoft.KeyVault/vaults').body, 'properties');
    for (const flag of ['enabledForDeployment', 'enabledForDiskEncryption', 'enabledForTemplateDeployment']) {
      expect(prop(properties, flag)?.text).toBe('false');
    }
  });

  it('takes public network access and soft-delete retention from bounded parameters', () => {
    const vault = single('Microsoft.KeyVault/vaults');
    const params = parameters(vault.file.root);
    const properties = prop(vault.body, 'properties');
    const access = params.find((p) => p.name === prop(properties, 'publicNetworkAccess')?.text);
    expect(elements(decoratorArgument(access!, 'allowed')).map((n) => stringValue(n))).toEqual(['Enabled', 'Disabled']);
    const retention = params.find((p) => p.name === prop(properties, 'softDeleteRetentionInDays')?.text);
    expect(decoratorArgument(retention!, 'minValue')?.text).toBe('7');
    expect(decoratorArgument(retention!, 'maxValue')?.text).toBe('90');
  });

  it('switches the vault to the premium SKU for HSM-protected keys', () => {
    const skuName = prop(single('Microsoft.KeyVault/vaults').body, 'properties', 'sku', 'name')?.text ?? '';
    expect(skuName).toMatch(/==\s*'RSA-HSM'\s*\?\s*'premium'\s*:\s*'standard'/);
  });

  it('creates an RSA or RSA-HSM key that can only sign and verify and can never be exported', () => {
    const key = single('Microsoft.KeyVault/vaults/keys');
    const properties = prop(key.body, 'properties');
    const kty = parameters(key.file.root).find((p) => p.name === prop(properties, 'kty')?.text);
    expect(elements(decoratorArgument(kty!, 'allowed')).map((n) => stringValue(n))).toEqual(['RSA', 'RSA-HSM']);
    expect(elements(prop(properties, 'keyOps')).map((n) => stringValue(n))).toEqual(['sign', 'verify']);
    expect(prop(properties, 'attributes', 'exportable')?.text).toBe('false');
    expect(prop(properties, 'attributes', 'enabled')?.text).toBe('true');
    expect(prop(properties, 'release_policy')).toBeUndefined();
  });

  it('gives the first key version an expiry', () => {
    const exp = prop(single('Microsoft.KeyVault/vaults/keys').body, 'properties', 'attributes', 'exp');
    expect(isCall(exp, 'dateTimeToEpoch')).toBe(true);
  });

  it('rotates the key on a schedule and notifies before a version expires', () => {
    const policy = prop(single('Microsoft.KeyVault/vaults/keys').body, 'properties', 'rotationPolicy');
    expect(prop(policy, 'attributes', 'expiryTime')).toBeDefined();
    const actions = elements(prop(policy, 'lifetimeActions')).map((action) => ({
      type: stringValue(prop(action, 'action', 'type'))?.toLowerCase(),
      afterCreate: prop(action, 'trigger', 'timeAfterCreate'),
      beforeExpiry: prop(action, 'trigger', 'timeBeforeExpiry'),
    }));
    expect(actions.map((a) => a.type).sort()).toEqual(['notify', 'rotate']);
    const rotate = actions.find((a) => a.type === 'rotate')!;
    expect(rotate.afterCreate ?? rotate.beforeExpiry).toBeDefined();
    expect(actions.find((a) => a.type === 'notify')!.beforeExpiry).toBeDefined();
  });

  it('grants the signer role on the signing key itself, never on the vault, and never Key Vault Crypto User', () => {
    const key = single('Microsoft.KeyVault/vaults/keys');
    const vault = single('Microsoft.KeyVault/vaults');
    const cryptoUser = infra
      .declared('Microsoft.Authorization/roleAssignments')
      .filter((ra) => referencedGuid(ra.file.root, prop(ra.body, 'properties', 'roleDefinitionId')) === KEY_VAULT_CRYPTO_USER);
    expect(cryptoUser).toEqual([]);
    const onKey = infra.declared('Microsoft.Authorization/roleAssignments').filter((ra) => ra.file.path === key.file.path && prop(ra.body, 'scope')?.text === key.symbol);
    expect(onKey).toHaveLength(1);
    expect(prop(onKey[0]!.body, 'properties', 'roleDefinitionId')?.text).toBe(`subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ${single('Microsoft.Authorization/roleDefinitions').symbol}.name)`);
    const onVault = infra.declared('Microsoft.Authorization/roleAssignments').filter((ra) => ra.file.path === vault.file.path && prop(ra.body, 'scope')?.text === vault.symbol);
    expect(onVault).toEqual([]);
  });
});
