import { exprText, parseExpression } from './support/armExpression';
import { at, compiledInfra, describeCompiled, describeSourceFallback, expr, resolve, type ArmResource } from './support/armTemplate';
import { decoratorArgument, elements, isCall, modules, parameters, prop, stringValue, variables } from './support/bicepModel';
import { loadInfra, readRepoFile, type Infra } from './support/infraFiles';

interface AppRole {
  value: string;
  isEnabled: boolean;
  displayName: string;
  description: string;
}
interface Scope {
  value: string;
  type: string;
  isEnabled: boolean;
  adminConsentDisplayName: string;
  adminConsentDescription: string;
  userConsentDisplayName: string;
  userConsentDescription: string;
}
interface Permissions {
  appRoles: AppRole[];
  scopes: Scope[];
}

const permissions = JSON.parse(readRepoFile('infra/permissions.json')) as Permissions;
const bicepConfig = JSON.parse(readRepoFile('infra/bicepconfig.json')) as { extensions?: Record<string, string> };

/** Entra permission values: printable ASCII, no spaces, and no leading dot. */
const PERMISSION_VALUE = /^[\x21-\x7e]+$/;

describe('infra/permissions.json', () => {
  it('declares Orders.Read and Orders.ReadWrite as app roles and as delegated scopes, Revocations.Manage as an app role only', () => {
    expect(permissions.appRoles.map((r) => r.value).sort()).toEqual(['Orders.Read', 'Orders.ReadWrite', 'Revocations.Manage']);
    expect(permissions.scopes.map((s) => s.value).sort()).toEqual(['Orders.Read', 'Orders.ReadWrite']);
  });

  it('gives every permission a valid value and non-empty consent texts', () => {
    for (const role of permissions.appRoles) {
      expect(role.value).toMatch(PERMISSION_VALUE);
      expect(typeof role.isEnabled).toBe('boolean');
      expect([role.displayName.trim(), role.description.trim()]).not.toContain('');
    }
    for (const scope of permissions.scopes) {
      expect(scope.value).toMatch(PERMISSION_VALUE);
      expect(['User', 'Admin']).toContain(scope.type);
      expect(typeof scope.isEnabled).toBe('boolean');
      const texts = [scope.adminConsentDisplayName, scope.adminConsentDescription, scope.userConsentDisplayName, scope.userConsentDescription];
      expect(texts.map((t) => t.trim())).not.toContain('');
    }
  });

  it('has no duplicate values within a list', () => {
    for (const list of [permissions.appRoles, permissions.scopes]) expect(new Set(list.map((p) => p.value)).size).toBe(list.length);
  });

  it('gives a role and a scope with the same value the same texts and state, as Entra requires of entries sharing an id', () => {
    for (const scope of permissions.scopes) {
      const role = permissions.appRoles.find((r) => r.value === scope.value);
      if (!role) continue;
      expect({ value: scope.value, displayName: role.displayName, description: role.description, isEnabled: role.isEnabled }).toEqual({
        value: scope.value,
        displayName: scope.adminConsentDisplayName,
        description: scope.adminConsentDescription,
        isEnabled: scope.isEnabled,
      });
    }
  });
});

describe('the Graph extension reference', () => {
  it('pins the Graph extension to a released v1.0 types version in bicepconfig.json', () => {
    expect(bicepConfig.extensions?.microsoftGraphV1).toMatch(/^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/);
  });
});

describeCompiled('the API app registration (compiled ARM JSON, Graph extension)', () => {
  const infra = compiledInfra().compiled!;
  const apiModule = () => infra.module('apiRegistration');
  const apiApp = () => {
    const apps = infra.declared('Microsoft.Graph/applications').filter((r) => r.modulePath.join('/') === 'apiRegistration');
    expect(apps).toHaveLength(1);
    return apps[0]!;
  };
  const property = (resource: ArmResource, ...path: string[]) => at(resource.json, 'properties', ...path);
  /** The object a map(list, lambda(x, createObject(...))) builds per element, as text with the element named X. */
  const shapeOf = (value: unknown) => {
    const parsed = parseExpression(value as string);
    if (parsed.kind !== 'call' || parsed.fn !== 'map') return undefined;
    const lambda = parsed.args[1];
    const name = lambda?.kind === 'call' ? (lambda.args[0]?.kind === 'string' ? lambda.args[0].value : '') : '';
    const body = lambda?.kind === 'call' ? lambda.args[1] : undefined;
    return { list: parsed.args[0] && exprText(parsed.args[0]), body: body && exprText(body).replaceAll(`lambdaVariables('${name}')`, 'X') };
  };

  it('uses only v1.0 Graph types, through the extension, and only in the registration modules', () => {
    const graph = infra.resources.filter((r) => r.type.startsWith('Microsoft.Graph/'));
    expect([...new Set(graph.map((r) => r.modulePath.join('/')))].sort()).toEqual(['apiRegistration', 'clientRegistration']);
    for (const r of graph) expect({ type: r.type, apiVersion: r.apiVersion, import: r.json.import }).toEqual({ type: r.type, apiVersion: 'v1.0', import: 'microsoftGraphV1' });
    for (const name of ['apiRegistration', 'clientRegistration']) expect(infra.module(name).template.imports?.microsoftGraphV1).toMatchObject({ provider: 'MicrosoftGraph' });
  });

  it("builds the App ID URI as api://<tenant ID>/<unique name>, from the deployment's tenant", () => {
    expect(property(apiApp(), 'uniqueName')).toBe("[parameters('uniqueName')]");
    const [uri] = property(apiApp(), 'identifierUris') as string[];
    expect(expr(resolve(apiApp(), uri))).toBe("format('api://{0}/{1}', tenant().tenantId, parameters('uniqueName'))");
  });

  it('is single-tenant and issues no tokens through the implicit flow', () => {
    expect(property(apiApp(), 'signInAudience')).toBe('AzureADMyOrg');
    expect(property(apiApp(), 'isFallbackPublicClient')).toBe(false);
    expect(property(apiApp(), 'web', 'implicitGrantSettings')).toEqual({ enableAccessTokenIssuance: false, enableIdTokenIssuance: false });
  });

  it('requests v2 access tokens by default, from a parameter allowing 1 or 2', () => {
    expect(property(apiApp(), 'api', 'requestedAccessTokenVersion')).toBe("[parameters('accessTokenVersion')]");
    expect(apiModule().template.parameters?.accessTokenVersion?.allowedValues).toEqual([1, 2]);
    expect(infra.main.parameters?.accessTokenVersion).toMatchObject({ allowedValues: [1, 2], defaultValue: 2 });
  });

  it('compiles in infra/permissions.json as the roles and scopes', () => {
    const permissionsVar = resolve(apiApp(), "[variables('permissions')]");
    expect(resolve(apiApp(), permissionsVar as string)).toEqual(permissions);
    expect(shapeOf(property(apiApp(), 'appRoles'))?.list).toBe("variables('permissions').appRoles");
    expect(shapeOf(property(apiApp(), 'api', 'oauth2PermissionScopes'))?.list).toBe("variables('permissions').scopes");
  });

  it('offers app roles to applications only, enabled as the file says', () => {
    const body = shapeOf(property(apiApp(), 'appRoles'))?.body ?? '';
    expect(body).toContain("'allowedMemberTypes', createArray('Application')");
    expect(body).toContain("'isEnabled', X.isEnabled");
  });

  it('derives each role and scope id from guid() over the value alone, the same way for both', () => {
    const idOf = (value: unknown) => /'id', (guid\((?:[^()]|\([^()]*\))*\))/.exec(shapeOf(value)?.body ?? '')?.[1];
    expect(idOf(property(apiApp(), 'appRoles'))).toBe("guid(parameters('uniqueName'), 'permission', X.value)");
    expect(idOf(property(apiApp(), 'api', 'oauth2PermissionScopes'))).toBe(idOf(property(apiApp(), 'appRoles')));
  });

  it('creates the service principal for the app and lets a parameter require role assignment', () => {
    const sp = infra.declared('Microsoft.Graph/servicePrincipals').find((r) => r.modulePath.join('/') === 'apiRegistration');
    expect(sp && property(sp, 'appId')).toBe(`[reference('${apiApp().symbol ?? '?'}').appId]`);
    expect(sp && property(sp, 'appRoleAssignmentRequired')).toBe("[parameters('appRoleAssignmentRequired')]");
  });

  it('creates no credential for any app registration', () => {
    for (const app of infra.declared('Microsoft.Graph/applications')) {
      expect([property(app, 'passwordCredentials'), property(app, 'keyCredentials')]).toEqual([undefined, undefined]);
    }
    expect(infra.resources.filter((r) => r.type.startsWith('Microsoft.Graph/applications/')).map((r) => r.type)).toEqual([]);
  });

  it('creates the client app only when asked, and grants its roles on the API service principal', () => {
    const client = infra.module('clientRegistration');
    expect(client.deployment.condition).toBe("[parameters('createClientApp')]");
    expect(infra.main.parameters?.createClientApp?.defaultValue).toBe(false);
    const sp = infra.declared('Microsoft.Graph/servicePrincipals').find((r) => r.modulePath.join('/') === 'clientRegistration');
    const grant = infra.single('Microsoft.Graph/appRoleAssignedTo');
    expect(property(grant, 'principalId')).toBe(`[reference('${sp?.symbol ?? '?'}').id]`);
    expect(property(grant, 'resourceId')).toBe("[parameters('apiServicePrincipalId')]");
    expect(expr(property(grant, 'appRoleId'))).toMatch(/^parameters\('apiAppRoleIds'\)\[/);
  });
});

describeSourceFallback('the API app registration (source, tree-sitter fallback)', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await loadInfra();
  });
  const apiFile = () => infra.file('infra/modules/apiRegistration.bicep');
  const apiApp = () => {
    const apps = apiFile().resources.filter((r) => r.type === 'Microsoft.Graph/applications');
    expect(apps).toHaveLength(1);
    return apps[0]!;
  };

  it('declares the extension, and only v1.0 Graph types, in every file with Graph resources', () => {
    const graphFiles = infra.files.filter((f) => f.resources.some((r) => r.type.startsWith('Microsoft.Graph/')));
    expect(graphFiles.map((f) => f.path).sort()).toEqual(['infra/modules/apiRegistration.bicep', 'infra/modules/clientRegistration.bicep']);
    for (const file of graphFiles) {
      expect(file.source).toMatch(/^extension microsoftGraphV1$/m);
      for (const r of file.resources.filter((res) => res.type.startsWith('Microsoft.Graph/'))) expect(r.apiVersion).toBe('v1.0');
    }
  });

  it("builds the App ID URI as api://<tenant ID>/<unique name>, from the deployment's tenant", () => {
    const app = apiApp();
    expect(prop(app.body, 'uniqueName')?.text).toBe('uniqueName');
    const [uri] = elements(prop(app.body, 'identifierUris'));
    const value = uri?.type === 'identifier' ? variables(apiFile().root).get(uri.text) : uri;
    expect(value?.text).toBe("'api://${tenant().tenantId}/${uniqueName}'");
  });

  it('is single-tenant and issues no tokens through the implicit flow', () => {
    const app = apiApp();
    expect(stringValue(prop(app.body, 'signInAudience'))).toBe('AzureADMyOrg');
    expect(prop(app.body, 'isFallbackPublicClient')?.text).toBe('false');
    expect(prop(app.body, 'web', 'implicitGrantSettings', 'enableAccessTokenIssuance')?.text).toBe('false');
    expect(prop(app.body, 'web', 'implicitGrantSettings', 'enableIdTokenIssuance')?.text).toBe('false');
  });

  it('requests v2 access tokens by default, from a parameter allowing 1 or 2', () => {
    expect(prop(apiApp().body, 'api', 'requestedAccessTokenVersion')?.text).toBe('accessTokenVersion');
    for (const file of [apiFile(), infra.file('infra/main.bicep')]) {
      const param = parameters(file.root).find((p) => p.name === 'accessTokenVersion');
      expect(elements(decoratorArgument(param!, 'allowed')).map((n) => n.text)).toEqual(['1', '2']);
    }
    expect(parameters(infra.file('infra/main.bicep').root).find((p) => p.name === 'accessTokenVersion')?.defaultValue?.text).toBe('2');
  });

  it('reads roles and scopes from infra/permissions.json', () => {
    const permissionsVar = variables(apiFile().root).get('permissions');
    expect(permissionsVar?.text).toBe("loadJsonContent('../permissions.json')");
    expect(prop(apiApp().body, 'appRoles')?.text).toMatch(/^map\(permissions\.appRoles,/);
    expect(prop(apiApp().body, 'api', 'oauth2PermissionScopes')?.text).toMatch(/^map\(permissions\.scopes,/);
  });

  it('offers app roles to applications only', () => {
    const appRoles = prop(apiApp().body, 'appRoles');
    const shape = appRoles?.descendantsOfType('object')[0];
    expect(elements(prop(shape, 'allowedMemberTypes')).map((n) => stringValue(n))).toEqual(['Application']);
    expect(prop(shape, 'isEnabled')?.text).toBe('role.isEnabled');
  });

  it('derives each role and scope id from guid() over the value alone, the same way for both', () => {
    const idOf = (listPath: string[]) => {
      const shape = prop(apiApp().body, ...listPath)?.descendantsOfType('object')[0];
      const id = prop(shape, 'id');
      expect(isCall(id, 'guid')).toBe(true);
      return id?.text.replace(/\b(role|scope)\.value\b/, 'VALUE');
    };
    expect(idOf(['appRoles'])).toBe("guid(uniqueName, 'permission', VALUE)");
    expect(idOf(['api', 'oauth2PermissionScopes'])).toBe(idOf(['appRoles']));
  });

  it('creates the service principal for the app and lets a parameter require role assignment', () => {
    const sp = apiFile().resources.find((r) => r.type === 'Microsoft.Graph/servicePrincipals');
    expect(prop(sp?.body, 'appId')?.text).toBe(`${apiApp().symbol}.appId`);
    expect(prop(sp?.body, 'appRoleAssignmentRequired')?.text).toBe('appRoleAssignmentRequired');
  });

  it('creates no credential for any app registration', () => {
    for (const r of infra.files.flatMap((f) => f.resources).filter((res) => res.type === 'Microsoft.Graph/applications')) {
      expect([prop(r.body, 'passwordCredentials'), prop(r.body, 'keyCredentials')]).toEqual([undefined, undefined]);
    }
    expect(infra.files.flatMap((f) => f.resources).filter((r) => r.type.startsWith('Microsoft.Graph/applications/'))).toEqual([]);
  });

  it('creates the client app only when asked, and grants its roles on the API service principal', () => {
    const main = infra.file('infra/main.bicep');
    const client = modules(main.root).find((m) => m.path === 'modules/clientRegistration.bicep');
    expect(client?.node.text).toMatch(/= if \(createClientApp\) \{/);
    expect(parameters(main.root).find((p) => p.name === 'createClientApp')?.defaultValue?.text).toBe('false');
    const clientFile = infra.file('infra/modules/clientRegistration.bicep');
    const sp = clientFile.resources.find((r) => r.type === 'Microsoft.Graph/servicePrincipals');
    const grant = clientFile.resources.find((r) => r.type === 'Microsoft.Graph/appRoleAssignedTo');
    expect(prop(grant?.body, 'principalId')?.text).toBe(`${sp?.symbol ?? '?'}.id`);
    expect(prop(grant?.body, 'resourceId')?.text).toBe('apiServicePrincipalId');
    expect(prop(grant?.body, 'appRoleId')?.text).toBe('apiAppRoleIds[role]');
  });
});
