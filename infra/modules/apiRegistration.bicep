// The API's Entra app registration and its service principal, declared through the
// Microsoft Graph Bicep extension. Permissions come from infra/permissions.json, the
// single list the code checks its auth policies against.
extension microsoftGraphV1

@description('Stable unique name of the app registration (Graph uniqueName). Changing it creates a new registration.')
param uniqueName string

param displayName string

@allowed([1, 2])
param accessTokenVersion int

@description('Require an app role assignment before Entra issues a token for this API.')
param appRoleAssignmentRequired bool

var permissions = loadJsonContent('../permissions.json')

// Entra accepts api://<tenantId>/<name> without a verified domain, and unlike
// api://<appId> it needs no second pass once the app ID is known.
var appIdUri = 'api://${tenant().tenantId}/${uniqueName}'

// Entra treats app roles and delegated scopes as one namespace: when a role and a scope
// share a value they must share an id (and the same display texts and isEnabled), or
// Entra rejects the update as a duplicate. So the id is derived from the value alone, and
// stays stable across deployments. Entra also refuses to delete an enabled permission:
// set "isEnabled": false in permissions.json, deploy, then remove the entry.
resource apiApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    appIdUri
  ]
  isFallbackPublicClient: false
  api: {
    requestedAccessTokenVersion: accessTokenVersion
    oauth2PermissionScopes: map(permissions.scopes, scope => {
      id: guid(uniqueName, 'permission', scope.value)
      value: scope.value
      type: scope.type
      isEnabled: scope.isEnabled
      adminConsentDisplayName: scope.adminConsentDisplayName
      adminConsentDescription: scope.adminConsentDescription
      userConsentDisplayName: scope.userConsentDisplayName
      userConsentDescription: scope.userConsentDescription
    })
  }
  appRoles: map(permissions.appRoles, role => {
    id: guid(uniqueName, 'permission', role.value)
    value: role.value
    displayName: role.displayName
    description: role.description
    allowedMemberTypes: [
      'Application'
    ]
    isEnabled: role.isEnabled
  })
  // A resource API signs nobody in: no redirect URIs, no implicit-flow tokens.
  web: {
    redirectUris: []
    implicitGrantSettings: {
      enableAccessTokenIssuance: false
      enableIdTokenIssuance: false
    }
  }
}

resource apiServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: apiApp.appId
  accountEnabled: true
  appRoleAssignmentRequired: appRoleAssignmentRequired
}

output appId string = apiApp.appId
output objectId string = apiApp.id
output servicePrincipalId string = apiServicePrincipal.id
output appIdUri string = appIdUri
@description('App role IDs by value, for granting roles to client apps.')
output appRoleIds object = toObject(permissions.appRoles, role => role.value, role => guid(uniqueName, 'permission', role.value))
