import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exprText, isExpression, literal, objectKeys, objectValue, parseExpression } from './support/armExpression';
import { at, compiledInfra, describeCompiled, describeSourceFallback, expr, nameLeaf, type ArmResource, type Json } from './support/armTemplate';
import { allProperties, allStrings, decoratorArgument, elements, keysOf, parameters, prop, stringValue, variables } from './support/bicepModel';
import { loadInfra, REPO_ROOT, type Infra } from './support/infraFiles';
import { AUTH_SETTING_NAMES } from 'azure-functions-entra-auth';
import { TELEMETRY_SETTING_NAMES } from 'azure-functions-entra-auth/app-insights';

const CONFIG_DIR = join(REPO_ROOT, 'lib', 'config');

/**
 * Every setting name the code reads: the SETTING_NAMES of each lib/config/*Settings.ts,
 * so a settings module added later (the Orders store's, say) is covered without a change here.
 */
function settingsTheCodeReads(): Set<string> {
  // The auth package's AUTH_* and APPLICATIONINSIGHTS_* settings, then the app's own.
  const names = new Set<string>([...AUTH_SETTING_NAMES, ...TELEMETRY_SETTING_NAMES]);
  for (const file of readdirSync(CONFIG_DIR).filter((name) => /Settings\.ts$/.test(name))) {
    const loaded = jest.requireActual<{ SETTING_NAMES?: readonly string[] }>(join(CONFIG_DIR, file));
    for (const name of loaded.SETTING_NAMES ?? []) names.add(name);
  }
  return names;
}

/** Settings the code reads in Azure; each must be set by the Bicep. */
const REQUIRED_APP_SETTINGS = [
  'AUTH_TENANT_ID',
  'AUTH_CLIENT_ID',
  'AUTH_APP_ID_URI',
  'AUTH_INSTANCE',
  'ORDERS_STORAGE__tableServiceUri',
  'ORDERS_STORAGE__clientId',
  'REVOCATION_TABLE_NAME',
  'SIGNING_KEY_VAULT_URL',
  'SIGNING_KEY_NAME',
  'SIGNING_ISSUER',
  'AZURE_CLIENT_ID',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'AzureWebJobsStorage__accountName',
];

/**
 * App settings the Flex Consumption plan has retired or moved into functionAppConfig
 * ("Flex Consumption plan deprecations" in the Functions app settings reference), plus
 * container and build settings Flex does not support.
 */
const FLEX_RETIRED_SETTINGS = [
  'DOCKER_REGISTRY_SERVER_PASSWORD',
  'DOCKER_REGISTRY_SERVER_URL',
  'DOCKER_REGISTRY_SERVER_USERNAME',
  'ENABLE_ORYX_BUILD',
  'FUNCTION_APP_EDIT_MODE',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'SCALE_CONTROLLER_LOGGING_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_DNS_SERVER',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_MOUNT_ENABLED',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_TIME_ZONE',
  'WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED',
  'WEBSITE_VNET_ROUTE_ALL',
  'WEBSITES_ENABLE_APP_SERVICE_STORAGE',
  'TZ',
];

/** Site properties Flex Consumption rejects or ignores; runtime and scale live in functionAppConfig. */
const FLEX_RETIRED_SITE_CONFIG = [
  'alwaysOn',
  'ftpsState',
  'functionAppScaleLimit',
  'javaVersion',
  'linuxFxVersion',
  'minimumElasticInstanceCount',
  'netFrameworkVersion',
  'nodeVersion',
  'powerShellVersion',
  'preWarmedInstanceCount',
  'pythonVersion',
  'use32BitWorkerProcess',
  'windowsFxVersion',
];

/** Settings that would carry a shared key or bypass Entra-only telemetry ingestion. */
const KEY_BASED_SETTINGS = ['AzureWebJobsStorage', 'APPINSIGHTS_INSTRUMENTATIONKEY', 'AzureWebJobsDashboard', 'AzureWebJobsSecretStorageSas'];

/** Keys and values of an app-settings resource, whether compiled to an object or to a shallowMerge(...) of optional parts. */
function appSettingsOf(resource: ArmResource): { keys: string[]; value: (name: string) => string | undefined } {
  const properties = resource.json.properties;
  if (isExpression(properties)) {
    const parsed = parseExpression(properties);
    return {
      keys: objectKeys(parsed),
      value: (name) => {
        const found = objectValue(parsed, name);
        return found && (literal(found) ?? exprText(found));
      },
    };
  }
  const object = (properties ?? {}) as Record<string, Json>;
  return { keys: Object.keys(object), value: (name) => (isExpression(object[name]) ? expr(object[name]) : (object[name] as string | undefined)) };
}

describeCompiled('the Flex Consumption function app (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;
  const site = () => infra.single('Microsoft.Web/sites');
  const appSettingsResource = () => {
    const configs = infra.declared('Microsoft.Web/sites/config').filter((c) => nameLeaf(c) === 'appsettings');
    expect(configs).toHaveLength(1);
    return configs[0]!;
  };
  const settings = () => appSettingsOf(appSettingsResource());
  const parameterOf = (resource: ArmResource, value: Json | undefined) => resource.template.parameters?.[/^parameters\('(\w+)'\)$/.exec(expr(value) ?? '')?.[1] ?? ''];

  it('runs on an FC1 Flex Consumption plan', () => {
    const plan = infra.single('Microsoft.Web/serverfarms');
    expect([at(plan.json, 'sku', 'name'), at(plan.json, 'sku', 'tier'), at(plan.json, 'properties', 'reserved')]).toEqual(['FC1', 'FlexConsumption', true]);
  });

  it('is a Linux function app running Node 20 or 22 as its user-assigned identity', () => {
    expect([site().json.kind, at(site().json, 'identity', 'type')]).toEqual(['functionapp,linux', 'UserAssigned']);
    const runtime = at(site().json, 'properties', 'functionAppConfig', 'runtime');
    expect(at(runtime, 'name')).toBe('node');
    expect(parameterOf(site(), at(runtime, 'version'))?.allowedValues).toEqual(['20', '22']);
    expect(infra.main.parameters?.nodeVersion?.allowedValues).toEqual(['20', '22']);
  });

  it('reads its package from a blob container with the managed identity and sets scale limits', () => {
    const config = at(site().json, 'properties', 'functionAppConfig');
    expect(at(config, 'deployment', 'storage', 'type')).toBe('blobContainer');
    expect(at(config, 'deployment', 'storage', 'authentication', 'type')).toBe('UserAssignedIdentity');
    const identity = expr(at(config, 'deployment', 'storage', 'authentication', 'userAssignedIdentityResourceId'));
    expect(Object.keys(at(site().json, 'identity', 'userAssignedIdentities') as object).map((key) => expr(key))).toEqual([`format('{0}', ${identity ?? '?'})`]);
    expect(Object.keys(at(config, 'scaleAndConcurrency') as object).sort()).toEqual(['instanceMemoryMB', 'maximumInstanceCount']);
  });

  it('accepts HTTPS only and TLS 1.2 or later (Flex Consumption has no FTP endpoint to turn off)', () => {
    const properties = at(site().json, 'properties');
    expect(at(properties, 'httpsOnly')).toBe(true);
    expect([at(properties, 'siteConfig', 'minTlsVersion'), at(properties, 'siteConfig', 'scmMinTlsVersion')]).toEqual(['1.2', '1.2']);
  });

  it('sets no site property that Flex Consumption retired', () => {
    const siteKeys = Object.keys((at(site().json, 'properties', 'siteConfig') ?? {}) as object);
    expect(siteKeys.filter((key) => FLEX_RETIRED_SITE_CONFIG.includes(key))).toEqual([]);
    expect(siteKeys).not.toContain('appSettings');
  });

  it('turns off basic (password) publishing credentials for both FTP and SCM', () => {
    const policies = infra.declared('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => nameLeaf(p)).sort()).toEqual(['ftp', 'scm']);
    for (const policy of policies) expect({ policy: nameLeaf(policy), allow: at(policy.json, 'properties', 'allow') }).toEqual({ policy: nameLeaf(policy), allow: false });
  });

  it('sets every app setting the code reads', () => {
    expect(REQUIRED_APP_SETTINGS.filter((name) => !settings().keys.includes(name))).toEqual([]);
  });

  it('sets only settings the code or the Functions host reads, optional ones included (a misspelt name fails here)', () => {
    const codeReads = settingsTheCodeReads();
    expect(['AUTH_TENANT_ID', 'SIGNING_KEY_NAME', 'APPLICATIONINSIGHTS_CONNECTION_STRING'].filter((name) => !codeReads.has(name))).toEqual([]);
    expect(REQUIRED_APP_SETTINGS.filter((name) => !name.startsWith('AzureWebJobsStorage__') && !codeReads.has(name))).toEqual([]);
    expect(settings().keys).toContain('FULFILMENT_URL');
    expect(settings().keys.filter((key) => !key.startsWith('AzureWebJobsStorage__') && !codeReads.has(key))).toEqual([]);
  });

  it('sets no app setting Flex Consumption retired, anywhere in the compiled template', () => {
    const retired = FLEX_RETIRED_SETTINGS.map((name) => name.toLowerCase());
    const text = JSON.stringify(infra.main).toLowerCase();
    expect(retired.filter((name) => new RegExp(`['"]${name}['"]`).test(text))).toEqual([]);
  });

  it('uses no key-based storage or telemetry setting and calls no secret-returning function', () => {
    expect(settings().keys.filter((key) => KEY_BASED_SETTINGS.includes(key))).toEqual([]);
    expect(JSON.stringify(infra.main)).not.toMatch(/\blist(Keys|Secrets|AccountSas|ServiceSas)\s*\(/);
  });

  it('connects to host storage with the user-assigned identity', () => {
    const { value } = settings();
    expect(value('AzureWebJobsStorage__credential')).toBe('managedidentity');
    expect(value('AzureWebJobsStorage__clientId')).toBe("parameters('identityClientId')");
    expect(value('AZURE_CLIENT_ID')).toBe("parameters('identityClientId')");
    // HTTP triggers only: the host needs no queue service (and holds no queue role).
    expect(value('AzureWebJobsStorage__queueServiceUri')).toBeUndefined();
    for (const service of ['blob', 'table']) expect(value(`AzureWebJobsStorage__${service}ServiceUri`)).toMatch(new RegExp(`^reference\\(resourceId\\('Microsoft\\.Storage/storageAccounts', .*\\)\\.primaryEndpoints\\.${service}$`));
  });

  it('reaches the orders table with the user-assigned identity, never a connection string', () => {
    const { value } = settings();
    expect(value('ORDERS_STORAGE__tableServiceUri')).toMatch(/^reference\(resourceId\('Microsoft\.Storage\/storageAccounts', .*\)\.primaryEndpoints\.table$/);
    expect(value('ORDERS_STORAGE__clientId')).toBe("parameters('identityClientId')");
    expect(value('ORDERS_STORAGE')).toBeUndefined();
  });

  it('authenticates telemetry with Entra as the same identity', () => {
    expect(settings().value('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("format('Authorization=AAD;ClientId={0}', parameters('identityClientId'))");
  });

  it("derives AUTH_INSTANCE from the deployment cloud's login endpoint, without a trailing slash", () => {
    const resource = appSettingsResource();
    const variable = /^variables\('(\w+)'\)$/.exec(settings().value('AUTH_INSTANCE') ?? '')?.[1] ?? '';
    const instance = expr(resource.template.variables?.[variable]) ?? '';
    expect(instance).toMatch(/^if\(endsWith\((.+), '\/'\), take\(\1, sub\(length\(\1\), 1\)\), \1\)$/);
    const source = /^variables\('(\w+)'\)$/.exec(/^if\(endsWith\((.+?), '\/'\)/.exec(instance)?.[1] ?? '')?.[1] ?? '';
    expect(expr(resource.template.variables?.[source])).toBe('environment().authentication.loginEndpoint');
    expect(JSON.stringify(infra.main)).not.toMatch(/login\.microsoftonline\.com|login\.windows\.net/);
  });

  it("names the site's own HTTPS address as the signing issuer", () => {
    expect(settings().value('SIGNING_ISSUER')).toBe("format('https://{0}', reference(resourceId('Microsoft.Web/sites', parameters('name')), '2024-04-01').defaultHostName)");
    expect(site().json.name).toBe("[parameters('name')]");
  });

  it('keeps host storage free of shared keys and anonymous access', () => {
    const properties = at(infra.single('Microsoft.Storage/storageAccounts').json, 'properties');
    expect({
      allowSharedKeyAccess: at(properties, 'allowSharedKeyAccess'),
      defaultToOAuthAuthentication: at(properties, 'defaultToOAuthAuthentication'),
      allowBlobPublicAccess: at(properties, 'allowBlobPublicAccess'),
      minimumTlsVersion: at(properties, 'minimumTlsVersion'),
      supportsHttpsTrafficOnly: at(properties, 'supportsHttpsTrafficOnly'),
    }).toEqual({ allowSharedKeyAccess: false, defaultToOAuthAuthentication: true, allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true });
    for (const container of infra.declared('Microsoft.Storage/storageAccounts/blobServices/containers')) {
      expect({ container: nameLeaf(container), publicAccess: at(container.json, 'properties', 'publicAccess') }).toEqual({ container: nameLeaf(container), publicAccess: 'None' });
    }
  });
});

describeSourceFallback('the Flex Consumption function app (source, tree-sitter fallback)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const single = (type: string) => infra.single(type);
  const appSettings = () => {
    const configs = infra.declared('Microsoft.Web/sites/config').filter((c) => stringValue(prop(c.body, 'name')) === 'appsettings');
    expect(configs).toHaveLength(1);
    return configs[0]!;
  };
  const setting = (name: string) => prop(appSettings().body, 'properties', name);

  it('runs on an FC1 Flex Consumption plan', () => {
    const plan = single('Microsoft.Web/serverfarms');
    expect(stringValue(prop(plan.body, 'sku', 'name'))).toBe('FC1');
    expect(stringValue(prop(plan.body, 'sku', 'tier'))).toBe('FlexConsumption');
    expect(prop(plan.body, 'properties', 'reserved')?.text).toBe('true');
  });

  it('is a Linux function app running Node 20 or 22 as its user-assigned identity', () => {
    const site = single('Microsoft.Web/sites');
    expect(stringValue(prop(site.body, 'kind'))).toBe('functionapp,linux');
    expect(stringValue(prop(site.body, 'identity', 'type'))).toBe('UserAssigned');
    const runtime = prop(site.body, 'properties', 'functionAppConfig', 'runtime');
    expect(stringValue(prop(runtime, 'name'))).toBe('node');
    for (const file of [site.file, infra.file('infra/main.bicep')]) {
      const version = parameters(file.root).find((p) => p.name === 'nodeVersion');
      expect(elements(decoratorArgument(version!, 'allowed')).map((n) => stringValue(n))).toEqual(['20', '22']);
    }
    expect(prop(runtime, 'version')?.text).toBe('nodeVersion');
  });

  it('reads its package from a blob container with the managed identity and sets scale limits', () => {
    const config = prop(single('Microsoft.Web/sites').body, 'properties', 'functionAppConfig');
    expect(stringValue(prop(config, 'deployment', 'storage', 'type'))).toBe('blobContainer');
    expect(stringValue(prop(config, 'deployment', 'storage', 'authentication', 'type'))).toBe('UserAssignedIdentity');
    expect(prop(config, 'deployment', 'storage', 'authentication', 'userAssignedIdentityResourceId')?.text).toBe('identityId');
    expect(keysOf(prop(config, 'scaleAndConcurrency')).sort()).toEqual(['instanceMemoryMB', 'maximumInstanceCount']);
  });

  it('accepts HTTPS only, TLS 1.2 or later, and no FTP', () => {
    const properties = prop(single('Microsoft.Web/sites').body, 'properties');
    expect(prop(properties, 'httpsOnly')?.text).toBe('true');
    expect(stringValue(prop(properties, 'siteConfig', 'minTlsVersion'))).toBe('1.2');
    expect(stringValue(prop(properties, 'siteConfig', 'scmMinTlsVersion'))).toBe('1.2');
  });

  it('sets no site property that Flex Consumption retired', () => {
    const siteKeys = keysOf(prop(single('Microsoft.Web/sites').body, 'properties', 'siteConfig'));
    expect(siteKeys.filter((key) => FLEX_RETIRED_SITE_CONFIG.includes(key))).toEqual([]);
    expect(siteKeys).not.toContain('appSettings');
  });

  it('turns off basic (password) publishing credentials for both FTP and SCM', () => {
    const site = single('Microsoft.Web/sites');
    const policies = infra.declared('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((p) => stringValue(prop(p.body, 'name'))).sort()).toEqual(['ftp', 'scm']);
    for (const policy of policies) {
      expect(prop(policy.body, 'parent')?.text).toBe(site.symbol);
      expect(prop(policy.body, 'properties', 'allow')?.text).toBe('false');
    }
  });

  it('sets every app setting the code reads', () => {
    const keys = keysOf(prop(appSettings().body, 'properties'));
    expect(REQUIRED_APP_SETTINGS.filter((name) => !keys.includes(name))).toEqual([]);
  });

  it('sets only settings the code or the Functions host reads (a misspelt name fails here)', () => {
    const codeReads = settingsTheCodeReads();
    expect(REQUIRED_APP_SETTINGS.filter((name) => !name.startsWith('AzureWebJobsStorage__') && !codeReads.has(name))).toEqual([]);
    // Keys of spread objects (`...(cond ? {} : { NAME: value })`) sit in the source, not in the parsed keys.
    const source = infra.files.map((file) => file.source).join('\n');
    const spreadKeys = [...source.matchAll(/\{\s*([A-Z][A-Z0-9_]+):/g)].map((match) => match[1] ?? '');
    const keys = [...keysOf(prop(appSettings().body, 'properties')).filter((key) => key !== '_s'), ...spreadKeys];
    expect(spreadKeys).toContain('FULFILMENT_URL');
    expect(keys.filter((key) => !key.startsWith('AzureWebJobsStorage__') && !codeReads.has(key))).toEqual([]);
  });

  it('sets no app setting Flex Consumption retired, anywhere in infra/', () => {
    const retired = new Set(FLEX_RETIRED_SETTINGS.map((name) => name.toLowerCase()));
    const used = infra.files.flatMap((file) => [...allProperties(file.root).map((p) => p.key), ...allStrings(file.root)]);
    expect(used.filter((name) => retired.has(name.toLowerCase()))).toEqual([]);
  });

  it('uses no key-based storage or telemetry setting', () => {
    const keys = keysOf(prop(appSettings().body, 'properties'));
    expect(keys.filter((key) => KEY_BASED_SETTINGS.includes(key))).toEqual([]);
    for (const file of infra.files) expect(file.source).not.toMatch(/\blist(Keys|Secrets|AccountSas|ServiceSas)\s*\(/);
  });

  it('reaches the orders table with the user-assigned identity, never a connection string', () => {
    expect(setting('ORDERS_STORAGE__tableServiceUri')?.text).toBe('storage.properties.primaryEndpoints.table');
    expect(setting('ORDERS_STORAGE__clientId')?.text).toBe('identityClientId');
    expect(setting('ORDERS_STORAGE')).toBeUndefined();
  });

  it('connects to host storage with the user-assigned identity', () => {
    expect(stringValue(setting('AzureWebJobsStorage__credential'))).toBe('managedidentity');
    expect(setting('AzureWebJobsStorage__clientId')?.text).toBe('identityClientId');
    expect(setting('AZURE_CLIENT_ID')?.text).toBe('identityClientId');
    for (const service of ['blob', 'table']) {
      expect(setting(`AzureWebJobsStorage__${service}ServiceUri`)?.text).toBe(`storage.properties.primaryEndpoints.${service}`);
    }
    expect(setting('AzureWebJobsStorage__queueServiceUri')).toBeUndefined();
  });

  it('authenticates telemetry with Entra as the same identity', () => {
    expect(setting('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')?.text).toBe("'Authorization=AAD;ClientId=${identityClientId}'");
  });

  it("derives AUTH_INSTANCE from the deployment cloud's login endpoint, without a trailing slash", () => {
    const file = appSettings().file;
    const vars = variables(file.root);
    const instance = vars.get(setting('AUTH_INSTANCE')?.text ?? '');
    expect(instance?.text).toMatch(/endsWith\((\w+), '\/'\) \? take\(\1, length\(\1\) - 1\) : \1/);
    const source = /endsWith\((\w+),/.exec(instance?.text ?? '')?.[1] ?? '';
    expect(vars.get(source)?.text).toBe('environment().authentication.loginEndpoint');
    for (const f of infra.files) expect(f.source).not.toMatch(/login\.microsoftonline\.com|login\.windows\.net/);
  });

  it("names the site's own HTTPS address as the signing issuer", () => {
    expect(setting('SIGNING_ISSUER')?.text).toBe(`'https://\${${single('Microsoft.Web/sites').symbol}.properties.defaultHostName}'`);
  });

  it('keeps host storage free of shared keys and anonymous access', () => {
    const properties = prop(single('Microsoft.Storage/storageAccounts').body, 'properties');
    expect(prop(properties, 'allowSharedKeyAccess')?.text).toBe('false');
    expect(prop(properties, 'defaultToOAuthAuthentication')?.text).toBe('true');
    expect(prop(properties, 'allowBlobPublicAccess')?.text).toBe('false');
    expect(stringValue(prop(properties, 'minimumTlsVersion'))).toBe('TLS1_2');
    expect(prop(properties, 'supportsHttpsTrafficOnly')?.text).toBe('true');
    const container = single('Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(stringValue(prop(container.body, 'properties', 'publicAccess'))).toBe('None');
  });
});
