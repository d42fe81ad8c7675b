import { decoratorArgument, elements, isCall, parameters, prop, referencedGuid, stringValue } from './support/bicepModel';
import { loadInfra, type Infra } from './support/infraFiles';

const KEY_VAULT_CRYPTO_USER = '12338af0-0e69-4776-bea7-57ae8d297424';

describe('the signing key vault and key', () => {
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
