// Optional: a client app registration holding app roles on the API, so a
// client_credentials caller works right after deployment. No credential is created
// here; add a certificate or secret yourself (docs/deploy.md).
extension microsoftGraphV1

param uniqueName string
param displayName string

@description('Client (app) ID of the API registration.')
param apiAppId string

@description('Object ID of the API service principal: the resource of the role assignments.')
param apiServicePrincipalId string

@description('App role IDs of the API, keyed by value.')
param apiAppRoleIds object

@description('Role values to grant. An unknown value fails the deployment rather than granting nothing.')
param roles array

resource clientApp 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  isFallbackPublicClient: false
  requiredResourceAccess: [
    {
      resourceAppId: apiAppId
      resourceAccess: map(roles, role => {
        id: apiAppRoleIds[role]
        type: 'Role'
      })
    }
  ]
  web: {
    redirectUris: []
    implicitGrantSettings: {
      enableAccessTokenIssuance: false
      enableIdTokenIssuance: false
    }
  }
}

resource clientServicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: clientApp.appId
  accountEnabled: true
}

// Granting the role directly is what admin consent would do for an application permission.
resource roleGrants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for role in roles: {
  appRoleId: apiAppRoleIds[role]
  principalId: clientServicePrincipal.id
  resourceId: apiServicePrincipalId
}]

output appId string = clientApp.appId
output objectId string = clientApp.id
