// The Flex Consumption function app. It runs as the user-assigned identity, reads its
// package from blob storage with that identity, and gets every setting the code reads.

param name string
param planName string
param location string
param tags object

@description('azd-service-name tag value: the service name in azure.yaml that azd deploys to this app.')
param azdServiceName string

@description('Resource ID of the user-assigned identity the app runs as.')
param identityId string

@description('Client ID of that identity: DefaultAzureCredential, the host and telemetry use it.')
param identityClientId string

param storageAccountName string
@description('The Orders API\'s table in that account (see hostStorage.bicep).')
param ordersTableName string

@description('The token deny rules\' table in that account (see hostStorage.bicep).')
param revocationsTableName string
param deploymentContainerName string
param appInsightsName string

@allowed(['20', '22'])
param nodeVersion string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Client ID of the API app registration (the aud of v2 tokens).')
param apiClientId string

param apiAppIdUri string

@allowed([1, 2])
param accessTokenVersion int

param allowedClientAppIds array

// An untyped array here: main.bicep types it (authorityTypes.bicep), and a typed parameter would
// move this module to ARM languageVersion 2.0 for nothing it does.
@description('Several authorities, the own workforce tenant first: AUTH_AUTHORITIES replaces the per-authority AUTH_* settings (the package refuses both). Empty: the own tenant alone.')
param authorities array

@description('Empty leaves FULFILMENT_URL unset.')
param fulfilmentUrl string

@description('Empty leaves FULFILMENT_AUDIENCE unset.')
param fulfilmentAudience string
param signingKeyVaultUrl string
param signingKeyName string

@description('Settings of your own; the ones below win on a name clash.')
param additionalAppSettings object

// Entra's sign-in host for the cloud this deploys to, as a bare origin.
var loginEndpoint = environment().authentication.loginEndpoint
var authInstance = endsWith(loginEndpoint, '/') ? take(loginEndpoint, length(loginEndpoint) - 1) : loginEndpoint

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd deploys the `api` service of azure.yaml to the app carrying this tag.
  tags: {
    ...tags
    'azd-service-name': azdServiceName
  }
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    // No ftpsState: Flex Consumption has no FTP endpoint, and basic publishing
    // credentials are off below.
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// Publishing goes through Entra (az / Core Tools tokens); no FTP or SCM passwords.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// A separate resource so the settings can name the site's own host name. This replaces
// the whole settings collection on every deployment: a setting added in the portal is
// lost, so users add theirs through additionalAppSettings. Every setting the app needs
// is listed here, and none of the settings Flex Consumption has retired (runtime and
// version live in functionAppConfig above).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    ...additionalAppSettings
    // Host storage through the identity. The service URIs take precedence over the
    // account name and are right in every cloud; the account name alone assumes
    // public-cloud DNS. No queue URI and no queue role: the host uses queues only for
    // blob, queue and Durable triggers, and this app has HTTP triggers only.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AZURE_CLIENT_ID: identityClientId
    // The Orders API's table, through the same identity (the identity-based connection convention; no keys).
    ORDERS_STORAGE__tableServiceUri: storage.properties.primaryEndpoints.table
    ORDERS_STORAGE__clientId: identityClientId
    ORDERS_TABLE_NAME: ordersTableName
    // The deny rules, beside the orders and read through the same identity.
    REVOCATION_TABLE_NAME: revocationsTableName
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
    // One tenant in the AUTH_* settings, or every authority in AUTH_AUTHORITIES (the array the gateway validates too).
    ...(empty(authorities)
      ? {
          AUTH_TENANT_ID: tenant().tenantId
          AUTH_CLIENT_ID: apiClientId
          AUTH_APP_ID_URI: apiAppIdUri
          AUTH_INSTANCE: authInstance
          // Entra issues this API's tokens in exactly the version its registration requests.
          AUTH_TOKEN_VERSIONS: accessTokenVersion == 2 ? '2.0' : '1.0'
        }
      : { AUTH_AUTHORITIES: string(authorities) })
    SIGNING_KEY_VAULT_URL: signingKeyVaultUrl
    SIGNING_KEY_NAME: signingKeyName
    SIGNING_ISSUER: 'https://${site.properties.defaultHostName}'
    // Optional settings appear only when given, so the portal shows what is actually configured.
    ...(empty(allowedClientAppIds) ? {} : { AUTH_ALLOWED_CLIENT_APPS: join(allowedClientAppIds, ',') })
    ...(empty(fulfilmentUrl) ? {} : { FULFILMENT_URL: fulfilmentUrl })
    ...(empty(fulfilmentAudience) ? {} : { FULFILMENT_AUDIENCE: fulfilmentAudience })
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
