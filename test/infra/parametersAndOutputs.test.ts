import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compiledInfra, describeCompiled, describeSourceFallback, expr } from './support/armTemplate';
import { isCall, modules, outputs, parameters, stringValue } from './support/bicepModel';
import { filesUnder, INFRA_DIR, loadInfra, readRepoFile, type Infra } from './support/infraFiles';

/**
 * A parameter or output name that suggests it carries a secret. The look-aheads let
 * through names about keys rather than key material (signingKeyName, keyVaultUrl,
 * signingKeyRotateAfterDays), the token version and the client-credentials scope.
 */
const SECRET_LIKE_NAME = /secret|passw(or)?d|pwd|connectionString|credential(?!sScope)|sas(Token|Url)?$|token(?!Version)|key(?!Name|Vault|Type|Size|Ops|Rotat|Lifetime|Notify|Expir|Uri|Url)/i;

/** Text that only appears where secret material or secret-returning functions are used. */
const SECRET_MATERIAL = [
  /\blist(Keys|Secrets|AccountSas|ServiceSas|ConnectionStrings)\s*\(/,
  /AccountKey=/i,
  /SharedAccessSignature=/i,
  /InstrumentationKey=/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/** Outputs a user needs after deployment (docs/deploy.md reads them). */
const REQUIRED_OUTPUTS = [
  'functionAppName',
  'functionAppUrl',
  'apiClientId',
  'apiAppIdUri',
  'clientCredentialsScope',
  'signingKeyVaultUrl',
  'signingKeyName',
  'tenantId',
];

describe('the secret-name rule', () => {
  it.each(['clientSecret', 'adminPassword', 'dbPwd', 'storageAccountKey', 'apiKey', 'signingKey', 'sqlConnectionString', 'sasToken', 'accessToken', 'keyValue', 'spCredential'])(
    'flags %s',
    (name) => {
      expect(name).toMatch(SECRET_LIKE_NAME);
    },
  );

  it.each(['signingKeyName', 'keyVaultUrl', 'keyVaultPublicNetworkAccess', 'signingKeyType', 'signingKeySize', 'signingKeyRotateAfterDays', 'signingKeyLifetimeDays', 'accessTokenVersion', 'environmentName', 'keyUri', 'clientCredentialsScope'])(
    'lets %s through',
    (name) => {
      expect(name).not.toMatch(SECRET_LIKE_NAME);
    },
  );
});

/** docs/deploy.md names only outputs and parameters main.bicep declares (as compiled, or as parsed). */
function docsNameOnlyDeclared(declaredOutputs: () => string[], declaredParameters: () => string[]): void {
  describe('docs/deploy.md', () => {
    const doc = readRepoFile('docs/deploy.md');

    it('reads only outputs main.bicep declares', () => {
      const read = [...doc.matchAll(/properties\.outputs\.(\w+)\.value/g)].map((m) => m[1] ?? '');
      expect(read.length).toBeGreaterThan(5);
      expect(read.filter((name) => !declaredOutputs().includes(name))).toEqual([]);
    });

    it('names only parameters main.bicep declares, in its parameter table and its `name = value` examples', () => {
      const tableNames = doc
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1] ?? ''));
      const assignments = [...doc.matchAll(/`(\w+) = [^`]+`/g)].map((m) => m[1] ?? '');
      expect(tableNames.length).toBeGreaterThan(5);
      expect([...tableNames, ...assignments].filter((name) => !declaredParameters().includes(name))).toEqual([]);
    });
  });
}

const SECURE_TYPES = ['securestring', 'secureobject'];

describeCompiled('parameters and outputs (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;
  const everyParameter = () =>
    infra.templates().flatMap(({ modulePath, template }) => Object.entries(template.parameters ?? {}).map(([name, p]) => ({ where: `${modulePath.join('/') || 'main'}: ${name}`, name, ...p })));
  const everyOutput = () =>
    infra.templates().flatMap(({ modulePath, template }) => Object.entries(template.outputs ?? {}).map(([name, o]) => ({ where: `${modulePath.join('/') || 'main'}: ${name}`, name, ...o })));

  it('types every secret-looking parameter as secure, in main.bicep and every module', () => {
    expect(everyParameter().filter((p) => SECRET_LIKE_NAME.test(p.name) && !SECURE_TYPES.includes(p.type.toLowerCase())).map((p) => p.where)).toEqual([]);
  });

  it('gives no secure parameter a default value other than empty (not given: apiManagementFunctionKey, needed only with deployApiManagement)', () => {
    expect(everyParameter().filter((p) => SECURE_TYPES.includes(p.type.toLowerCase()) && p.defaultValue !== undefined && p.defaultValue !== '').map((p) => p.where)).toEqual([]);
  });

  it('returns no secret from any output', () => {
    expect(everyOutput().filter((o) => SECRET_LIKE_NAME.test(o.name) || SECURE_TYPES.includes(o.type.toLowerCase())).map((o) => o.where)).toEqual([]);
  });

  it('contains no secret material or secret-returning function in the compiled template or parameters', () => {
    const text = JSON.stringify([infra.main, infra.parameters]);
    expect(SECRET_MATERIAL.filter((pattern) => pattern.test(text)).map(String)).toEqual([]);
  });

  it('outputs everything a caller and an operator need, as strings', () => {
    const outputs = infra.main.outputs ?? {};
    expect(REQUIRED_OUTPUTS.filter((name) => outputs[name]?.type !== 'string')).toEqual([]);
  });

  it("outputs the client_credentials scope as '<App ID URI>/.default' and the deployment's tenant", () => {
    const value = (name: string) => expr(infra.main.outputs?.[name]?.value);
    // By resource ID, or by symbolic name in languageVersion 2.0 (main.bicep's typed parameters).
    const appIdUri = /(?:'Microsoft\.Resources\/deployments', 'apiRegistration'\), '[\d-]+'\)|reference\('apiRegistration'\))\.outputs\.appIdUri\.value$/;
    expect(value('apiAppIdUri')).toMatch(appIdUri);
    expect(value('clientCredentialsScope')).toMatch(/^format\('\{0\}\/\.default', reference\(/);
    expect(value('clientCredentialsScope')?.replace(/^format\('\{0\}\/\.default', (.*)\)$/, '$1')).toMatch(appIdUri);
    expect(value('tenantId')).toBe('tenant().tenantId');
  });

  it('creates the resource group from a subscription-scope entry point', () => {
    expect(infra.main.$schema).toMatch(/\/subscriptionDeploymentTemplate\.json#$/);
    expect(infra.resources.filter((r) => r.modulePath.length === 0 && r.type === 'Microsoft.Resources/resourceGroups')).toHaveLength(1);
  });

  it('pins an API version on every resource, as compiled: a dated ARM version (-preview only where no GA exists, as for diagnosticSettings), or v1.0 for Graph', () => {
    const dated = (r: { type: string; apiVersion: string }) =>
      /^\d{4}-\d{2}-\d{2}$/.test(r.apiVersion) || (r.type === 'Microsoft.Insights/diagnosticSettings' && /^\d{4}-\d{2}-\d{2}-preview$/.test(r.apiVersion));
    const unpinned = infra.resources.filter((r) => !(r.type.startsWith('Microsoft.Graph/') ? r.apiVersion === 'v1.0' : dated(r)));
    expect(unpinned.map((r) => `${r.modulePath.join('/')}: ${r.type}@${r.apiVersion}`)).toEqual([]);
  });

  describe('infra/main.bicepparam, as compiled by build-params', () => {
    const assigned = () => Object.keys(infra.parameters.parameters);
    const declared = () => infra.main.parameters ?? {};

    it('assigns only parameters main.bicep declares, and every one without a default', () => {
      expect(assigned().filter((name) => !(name in declared()))).toEqual([]);
      expect(Object.entries(declared()).filter(([name, p]) => p.defaultValue === undefined && !assigned().includes(name)).map(([name]) => name)).toEqual([]);
    });

    it('assigns no secure parameter', () => {
      expect(assigned().filter((name) => SECURE_TYPES.includes(declared()[name]?.type.toLowerCase() ?? '') || SECRET_LIKE_NAME.test(name))).toEqual([]);
    });
  });

  docsNameOnlyDeclared(
    () => Object.keys(infra.main.outputs ?? {}),
    () => Object.keys(infra.main.parameters ?? {}),
  );
});

describe('secrets in the sources', () => {
  it('contains no secret material or secret-returning function anywhere in infra/', () => {
    const files = [...filesUnder(INFRA_DIR, '.bicep'), ...filesUnder(INFRA_DIR, '.bicepparam'), ...filesUnder(INFRA_DIR, '.json')];
    const hits = files.flatMap((path) => {
      const text = readFileSync(path, 'utf8');
      return SECRET_MATERIAL.filter((pattern) => pattern.test(text)).map((pattern) => `${path}: ${String(pattern)}`);
    });
    expect(hits).toEqual([]);
  });
});

describe('docs/deploy.md', () => {
  it('shows the deployment command for the subscription-scope template and its parameters file', () => {
    const doc = readRepoFile('docs/deploy.md');
    expect(doc).toContain('az deployment sub create');
    expect(doc).toContain('--template-file infra/main.bicep');
    expect(doc).toContain('--parameters infra/main.bicepparam');
    expect(doc).toContain('func azure functionapp publish');
    expect(doc).toContain('az keyvault key rotate');
    expect(doc).toContain('az group delete');
    expect(doc).toContain('az ad app delete');
  });
});

describeSourceFallback('parameters and outputs (source, tree-sitter fallback)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const mainParams = () => parameters(infra.file('infra/main.bicep').root);

  it('marks every secret-looking parameter @secure()', () => {
    const unsecured = infra.files.flatMap((file) =>
      parameters(file.root)
        .filter((p) => SECRET_LIKE_NAME.test(p.name) && !p.decorators.includes('secure') && !/^secure(String|Object)$/.test(p.type))
        .map((p) => `${file.path}: ${p.name}`),
    );
    expect(unsecured).toEqual([]);
  });

  it('gives no @secure() parameter a default value', () => {
    const withDefaults = infra.files.flatMap((file) => parameters(file.root).filter((p) => p.decorators.includes('secure') && p.defaultValue).map((p) => `${file.path}: ${p.name}`));
    expect(withDefaults).toEqual([]);
  });

  it('returns no secret from any output', () => {
    const suspicious = infra.files.flatMap((file) => outputs(file.root).filter((o) => SECRET_LIKE_NAME.test(o.name)).map((o) => `${file.path}: ${o.name}`));
    expect(suspicious).toEqual([]);
  });

  it('outputs everything a caller and an operator need', () => {
    const names = outputs(infra.file('infra/main.bicep').root).map((o) => o.name);
    expect(REQUIRED_OUTPUTS.filter((name) => !names.includes(name))).toEqual([]);
  });

  it("outputs the client_credentials scope as '<App ID URI>/.default' and the deployment's tenant", () => {
    const byName = new Map(outputs(infra.file('infra/main.bicep').root).map((o) => [o.name, o.value?.text]));
    expect(byName.get('clientCredentialsScope')).toBe("'${apiRegistration.outputs.appIdUri}/.default'");
    expect(byName.get('apiAppIdUri')).toBe('apiRegistration.outputs.appIdUri');
    expect(byName.get('tenantId')).toBe('tenant().tenantId');
  });

  it('creates the resource group from a subscription-scope entry point', () => {
    const main = infra.file('infra/main.bicep');
    expect(main.root.namedChildren.find((n) => n.type === 'target_scope_assignment')?.text).toBe("targetScope = 'subscription'");
    expect(main.resources.map((r) => r.type)).toEqual(['Microsoft.Resources/resourceGroups']);
  });

  it('pins an API version on every resource: a dated ARM version, or v1.0 for Graph', () => {
    const unpinned = infra.files.flatMap((file) =>
      file.resources
        .filter((r) => !(r.type.startsWith('Microsoft.Graph/') ? r.apiVersion === 'v1.0' : /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(r.apiVersion)))
        .map((r) => `${file.path}: ${r.symbol} ${r.type}@${r.apiVersion}`),
    );
    expect(unpinned).toEqual([]);
  });

  it('refers only to module and content files that exist', () => {
    const missing = infra.files.flatMap((file) => {
      const loads = file.root
        .descendantsOfType('call_expression')
        .filter((call) => ['loadJsonContent', 'loadTextContent', 'loadFileAsBase64'].some((fn) => isCall(call, fn)))
        .map((call) => stringValue(call.childForFieldName('arguments')?.namedChildren[0] ?? undefined) ?? '');
      const paths = [...modules(file.root).map((m) => m.path), ...loads];
      return paths.filter((path) => !existsSync(join(dirname(file.absolutePath), path))).map((path) => `${file.path}: ${path}`);
    });
    expect(missing).toEqual([]);
  });

  describe('infra/main.bicepparam', () => {
    const text = readRepoFile('infra/main.bicepparam');
    const assigned = [...text.matchAll(/^param\s+(\w+)\s*=/gm)].map((m) => m[1] ?? '');

    it('applies to main.bicep', () => {
      expect(text).toMatch(/^using '\.\/main\.bicep'$/m);
    });

    it('assigns only parameters main.bicep declares, and every one without a default', () => {
      const declared = mainParams().map((p) => p.name);
      expect(assigned.filter((name) => !declared.includes(name))).toEqual([]);
      expect(mainParams().filter((p) => !p.defaultValue && !assigned.includes(p.name)).map((p) => p.name)).toEqual([]);
    });

    it('assigns no secure parameter', () => {
      const secure = mainParams().filter((p) => p.decorators.includes('secure')).map((p) => p.name);
      expect(assigned.filter((name) => secure.includes(name) || SECRET_LIKE_NAME.test(name))).toEqual([]);
    });
  });

  docsNameOnlyDeclared(
    () => outputs(infra.file('infra/main.bicep').root).map((o) => o.name),
    () => mainParams().map((p) => p.name),
  );
});
