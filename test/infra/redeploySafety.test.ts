import { isCall, keysOf, modules, outputs, parameters, prop, properties, SPREAD_KEY, stringValue, variables } from './support/bicepModel';
import { loadInfra, readRepoFile, type Infra } from './support/infraFiles';

const ROTATION_PARAMS = ['signingKeyRotateAfterDays', 'signingKeyLifetimeDays', 'signingKeyNotifyBeforeExpiryDays'];
/** Outputs azd stores in the environment after provisioning a function service named `api`. */
const AZD_OUTPUTS = ['AZURE_LOCATION', 'AZURE_TENANT_ID', 'AZURE_RESOURCE_GROUP', 'SERVICE_API_NAME', 'SERVICE_API_URI'];

describe('parameters and settings that cannot break a redeploy', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const main = () => infra.file('infra/main.bicep');
  const mainParam = (name: string) => parameters(main().root).find((p) => p.name === name);
  const moduleBody = (path: string) => modules(main().root).find((m) => m.path === path)?.node.namedChildren.find((child) => child.type === 'object');

  describe('rotation rules between parameters', () => {
    const problems = () => variables(main().root).get('signingKeyPolicyProblems');

    it('checks each rule in main.bicep, naming every parameter it compares', () => {
      const rules = problems()?.descendantsOfType('ternary_expression') ?? [];
      expect(rules.map((rule) => rule.namedChildren[0]?.text.replace(/\s+/g, ' '))).toEqual([
        'signingKeyRotateAfterDays <= signingKeyLifetimeDays - 7',
        'signingKeyNotifyBeforeExpiryDays < signingKeyLifetimeDays',
        'signingKeyRotateAfterDays < signingKeyLifetimeDays - signingKeyNotifyBeforeExpiryDays',
      ]);
      for (const rule of rules) {
        const [condition, , message] = rule.namedChildren;
        const compared = ROTATION_PARAMS.filter((name) => new RegExp(`\\b${name}\\b`).test(condition?.text ?? ''));
        expect(compared.filter((name) => !(message?.text ?? '').includes(`${name} (\${${name}})`))).toEqual([]);
      }
    });

    it('fails through fail() in a variable, which ARM evaluates during template validation', () => {
      const policy = variables(main().root).get('signingKeyPolicy');
      expect(policy?.text).toMatch(/^empty\(signingKeyPolicyProblems\)/);
      expect(policy?.descendantsOfType('call_expression').some((call) => isCall(call, 'fail'))).toBe(true);
    });

    it('feeds the key only values that passed the rules', () => {
      const params = prop(moduleBody('modules/signingKeyVault.bicep'), 'params');
      expect(['rotateAfterDays', 'lifetimeDays', 'notifyBeforeExpiryDays'].map((name) => prop(params, name)?.text)).toEqual([
        'signingKeyPolicy.rotateAfterDays',
        'signingKeyPolicy.lifetimeDays',
        'signingKeyPolicy.notifyBeforeExpiryDays',
      ]);
    });
  });

  it('marks soft-delete retention as create-only wherever it is declared', () => {
    const declared = [
      mainParam('keyVaultSoftDeleteRetentionDays'),
      parameters(infra.file('infra/modules/signingKeyVault.bicep').root).find((p) => p.name === 'softDeleteRetentionDays'),
    ];
    for (const param of declared) {
      const description = param?.decoratorNodes.find((d) => d.text.startsWith('@description'))?.text ?? '';
      expect(description).toMatch(/create-only/i);
    }
    expect(readRepoFile('docs/deploy.md')).toMatch(/### Settings fixed at creation\n\nKey Vault fixes `keyVaultSoftDeleteRetentionDays`/);
  });

  it('makes the app registration names unique per environment and per subscription', () => {
    const apiAppName = mainParam('apiAppName')?.defaultValue?.text ?? '';
    expect(apiAppName).toContain('${environmentName}');
    expect(apiAppName).toContain('uniqueString(subscription().subscriptionId)');
    expect(prop(moduleBody('modules/apiRegistration.bicep'), 'params', 'uniqueName')?.text).toBe('apiAppName');
    expect(variables(main().root).get('clientAppName')?.text).toBe("'${apiAppName}-client'");
    expect(readRepoFile('docs/deploy.md')).toContain('### App registration names');
  });

  it('lets users add app settings without losing them, and keeps the template settings on a clash', () => {
    const settings = infra.declared('Microsoft.Web/sites/config').find((c) => stringValue(prop(c.body, 'name')) === 'appsettings');
    const settingsObject = prop(settings?.body, 'properties');
    const [first] = settingsObject ? properties(settingsObject) : [];
    expect(first?.key).toBe(SPREAD_KEY);
    expect(first?.value.text).toBe('additionalAppSettings');
    expect(mainParam('additionalAppSettings')?.defaultValue?.text).toBe('{}');
    expect(prop(moduleBody('modules/functionApp.bicep'), 'params', 'additionalAppSettings')?.text).toBe('additionalAppSettings');
    const doc = readRepoFile('docs/deploy.md');
    expect(doc).toMatch(/\*\*every deployment replaces the whole collection\*\*/);
    expect(doc).toContain('`additionalAppSettings`');
  });

  it('tags the resource group and the function app as azd expects, and outputs what azd reads', () => {
    const rg = main().resources.find((r) => r.type === 'Microsoft.Resources/resourceGroups');
    expect(prop(rg?.body, 'tags', 'azd-env-name')?.text).toBe('environmentName');
    const site = infra.single('Microsoft.Web/sites');
    expect(prop(site.body, 'tags', 'azd-service-name')?.text).toBe('azdServiceName');
    expect(prop(moduleBody('modules/functionApp.bicep'), 'params', 'azdServiceName')?.text).toBe('azdServiceName');
    expect(stringValue(variables(main().root).get('azdServiceName'))).toBe('api');
    // Only the function app carries the service tag: azd refuses two resources with one service name.
    const tagged = infra.files.flatMap((f) => f.resources.filter((r) => keysOf(prop(r.body, 'tags')).includes('azd-service-name')).map((r) => r.type));
    expect(tagged).toEqual(['Microsoft.Web/sites']);
    const names = outputs(main().root).map((o) => o.name);
    expect(AZD_OUTPUTS.filter((name) => !names.includes(name))).toEqual([]);
  });

  describe('docs/deploy.md teardown', () => {
    const teardown = () => {
      const doc = readRepoFile('docs/deploy.md');
      return doc.slice(doc.indexOf('## 9. Tear down'), doc.indexOf('## Not provided'));
    };

    it("permanently deletes the app registrations from the tenant's deleted items", () => {
      expect(teardown()).toContain('az ad app delete --id "$APP_OBJECT_ID"');
      expect(teardown()).toContain('az rest --method DELETE --uri "https://graph.microsoft.com/v1.0/directory/deletedItems/$APP_OBJECT_ID"');
      expect(teardown()).toMatch(/30 days/);
    });

    it('recovers the purge-protected vault into a recreated resource group before redeploying, and says that is the step that makes it work', () => {
      const text = teardown();
      const order = ['az group create --name "$RG"', 'az keyvault recover --name "$VAULT_NAME"', 'az deployment sub create'].map((command) => text.indexOf(command));
      expect(order.every((at) => at >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(text).toMatch(/purge protection/);
      expect(text).toMatch(/\*\*Recovering the vault is the step that\s+makes it work\*\*/);
    });
  });
});
