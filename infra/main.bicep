// Provisions the whole product: the API's Entra app registration, a Flex Consumption
// function app running as a user-assigned identity, the Key Vault signing key, host
// storage and monitoring. Deploy with `az deployment sub create` (see docs/deploy.md).
targetScope = 'subscription'

import { authority } from 'modules/authorityTypes.bicep'

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

@minLength(1)
@maxLength(40)
@description('Short name of this environment (for example orders-dev). Seeds resource names and the app registration names.')
param environmentName string

@description('Azure region for every resource. Flex Consumption is not offered everywhere: az functionapp list-flexconsumption-locations.')
param location string = deployment().location

@description('Resource group to create. Empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Tags applied to every Azure resource.')
param tags object = {}

// ---------------------------------------------------------------------------
// Entra app registrations
// ---------------------------------------------------------------------------

@minLength(1)
@maxLength(100)
@description('Stable unique name of the API app registration (Graph uniqueName); it also forms the App ID URI api://<tenantId>/<apiAppName>. Must be unique in the tenant: the default carries the environment name and a hash of the subscription ID, so the same environment name deployed from two subscriptions makes two registrations. Changing it creates a new registration.')
param apiAppName string = 'orders-api-${environmentName}-${take(uniqueString(subscription().subscriptionId), 8)}'

@description('Display name of the API app registration.')
param apiAppDisplayName string = 'Orders API (${environmentName})'

@allowed([1, 2])
@description('Access token version Entra issues for this API (api.requestedAccessTokenVersion).')
param accessTokenVersion int = 2

@description('When true, Entra only issues tokens for this API to callers (apps or users) that hold an app role assignment.')
param appRoleAssignmentRequired bool = true

@description('Also create a client app registration that holds the roles in clientAppRoles, for a first client_credentials call. No credential is created: add one yourself.')
param createClientApp bool = false

@description('App roles (values from infra/permissions.json) granted to the optional client app.')
param clientAppRoles array = ['Orders.Read']

@description('Caller app IDs allowed to call the API (AUTH_ALLOWED_CLIENT_APPS). Empty means any caller holding a required role or scope.')
param allowedClientAppIds array = []

@description('Authorities trusted beside this deployment\'s own workforce tenant: Entra External ID tenants, Azure AD B2C tenants (their user flows), other workforce tenants, each with the API\'s app registration there (created outside this template). Empty (the default): the own tenant alone, in the AUTH_* settings. Otherwise the function app gets AUTH_AUTHORITIES (the own tenant first, named workforceAuthorityName, then these) and the API Management gateway validates the same list.')
param additionalAuthorities authority[] = []

@description('With additionalAuthorities: the name of this deployment\'s own workforce authority in AUTH_AUTHORITIES (method rules, the principal and telemetry use it).')
param workforceAuthorityName string = 'employees'

@description('Optional URL of the backend the Orders sample sends signed assertions to (FULFILMENT_URL). Empty leaves it unset.')
param fulfilmentUrl string = ''

@description('Optional aud of those assertions (FULFILMENT_AUDIENCE). Empty means the origin of fulfilmentUrl.')
param fulfilmentAudience string = ''

// ---------------------------------------------------------------------------
// Function app
// ---------------------------------------------------------------------------

@allowed(['20', '22'])
@description('Node.js major version of the Flex Consumption runtime.')
param nodeVersion string = '22'

@minValue(40)
@maxValue(1000)
@description('Upper bound on Flex Consumption instances.')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Memory per Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

// ---------------------------------------------------------------------------
// Signing key
// ---------------------------------------------------------------------------

@minLength(1)
@maxLength(127)
@description('Name of the Key Vault key the app signs with.')
param signingKeyName string = 'token-signing'

@allowed(['RSA', 'RSA-HSM'])
@description('RSA keeps the key in software; RSA-HSM keeps it in an HSM and needs the premium vault SKU (chosen automatically).')
param signingKeyType string = 'RSA'

@allowed([2048, 3072, 4096])
@description('RSA modulus length in bits.')
param signingKeySize int = 2048

@minValue(7)
@description('Key Vault creates a new key version this many days after the current one was created. At most signingKeyLifetimeDays - 7, and before the near-expiry notice starts (checked before deployment).')
param signingKeyRotateAfterDays int = 90

@minValue(28)
@description('Lifetime of each key version, in days. Must exceed signingKeyRotateAfterDays + signingKeyNotifyBeforeExpiryDays (checked before deployment).')
param signingKeyLifetimeDays int = 180

@minValue(7)
@description('Key Vault raises a near-expiry event (an alert, see alertEmailAddress) this many days before the current version expires, which happens only if rotation did not. Less than signingKeyLifetimeDays (checked before deployment).')
param signingKeyNotifyBeforeExpiryDays int = 30

@allowed(['Enabled', 'Disabled'])
@description('Public network access to the vault. Disabled needs a private endpoint and VNet integration, which this template does not create.')
param keyVaultPublicNetworkAccess string = 'Enabled'

@minValue(7)
@maxValue(90)
@description('Days a deleted vault or key stays recoverable. Create-only: Key Vault fixes it when the vault is created and rejects any other value on a later deployment; keep the value the vault was created with (docs/deploy.md).')
param keyVaultSoftDeleteRetentionDays int = 90

@description('Start of the first key version\'s lifetime. Leave the default.')
param deploymentTime string = utcNow()

// ---------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------

@minValue(30)
@maxValue(730)
@description('Log Analytics retention, in days.')
param logRetentionDays int = 30

@minValue(1)
@description('Alert when more than this many AuthFailure events arrive within 15 minutes.')
param authFailureAlertThreshold int = 50

@description('Email address told about every alert: the auth-failure spike and the signing key nearing expiry or expired. Empty means the alerts fire in Monitor > Alerts without notifying anyone.')
param alertEmailAddress string = ''

// ---------------------------------------------------------------------------
// App settings
// ---------------------------------------------------------------------------

@description('Your own app settings. The deployment replaces the whole app-settings collection, so a setting added in the portal is lost on the next deployment: add it here. The template\'s own settings win on a name clash. No secrets: parameters are kept in the deployment history.')
param additionalAppSettings object = {}

// ---------------------------------------------------------------------------
// API Management front door (optional)
// ---------------------------------------------------------------------------

@description('Put an API Management gateway in front of the function app: the API imported from the generated OpenAPI document, one generated policy per operation (token validation, roles or scopes, allowed caller apps, a per-caller rate limit). Off by default: the function enforces the same rules on its own.')
param deployApiManagement bool = false

@allowed(['BasicV2', 'StandardV2', 'Basic', 'Standard', 'Premium'])
@description('API Management tier: one that has rate-limit-by-key (Consumption does not).')
param apiManagementSku string = 'BasicV2'

@description('Email address API Management sends its notifications to. Required when deployApiManagement is true.')
param apiManagementPublisherEmail string = ''

@minValue(1)
@description('Calls each caller app (azp/appid of its validated token) may make per gatewayRateLimitPeriodSeconds.')
param gatewayRateLimitCalls int = 100

@minValue(1)
@maxValue(300)
@description('The period of gatewayRateLimitCalls, in seconds.')
param gatewayRateLimitPeriodSeconds int = 60

@secure()
@description('With deployApiManagement: the value of the function host key the gateway sends (for example openssl rand -base64 32). Pass it on the command line, never in main.bicepparam. Empty (the default) only while deployApiManagement is false.')
param apiManagementFunctionKey string = ''

// ---------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = {
  ...tags
  'env-name': environmentName
}
var clientAppName = '${apiAppName}-client'

// Key Vault rejects a rotation policy that breaks these rules, but only after the vault
// exists. Evaluating them in a variable makes ARM's template validation fail first, before
// the resource group or anything else is created, with a message naming the parameters.
var signingKeyPolicyProblems = filter(
  [
    signingKeyRotateAfterDays <= signingKeyLifetimeDays - 7
      ? ''
      : 'signingKeyRotateAfterDays (${signingKeyRotateAfterDays}) must be at most signingKeyLifetimeDays (${signingKeyLifetimeDays}) - 7: Key Vault rotates no later than 7 days before a version expires'
    signingKeyNotifyBeforeExpiryDays < signingKeyLifetimeDays
      ? ''
      : 'signingKeyNotifyBeforeExpiryDays (${signingKeyNotifyBeforeExpiryDays}) must be less than signingKeyLifetimeDays (${signingKeyLifetimeDays}): the notice must fall within the version\'s lifetime'
    signingKeyRotateAfterDays < signingKeyLifetimeDays - signingKeyNotifyBeforeExpiryDays
      ? ''
      : 'signingKeyRotateAfterDays (${signingKeyRotateAfterDays}) must be less than signingKeyLifetimeDays (${signingKeyLifetimeDays}) - signingKeyNotifyBeforeExpiryDays (${signingKeyNotifyBeforeExpiryDays}): otherwise the near-expiry alert fires before every scheduled rotation'
  ],
  problem => !empty(problem)
)
var signingKeyPolicy = empty(signingKeyPolicyProblems)
  ? {
      rotateAfterDays: signingKeyRotateAfterDays
      lifetimeDays: signingKeyLifetimeDays
      notifyBeforeExpiryDays: signingKeyNotifyBeforeExpiryDays
    }
  : fail('Invalid signing key rotation parameters: ${join(signingKeyPolicyProblems, '; ')}')

// One list of authorities for the function app (AUTH_AUTHORITIES) and the gateway, so the two
// never disagree: empty keeps the single-tenant AUTH_* form and the gateway's validate-azure-ad-token.
var loginEndpoint = environment().authentication.loginEndpoint
var authorities = empty(additionalAuthorities)
  ? []
  : concat(
      [
        {
          kind: 'workforce'
          name: workforceAuthorityName
          tenantId: tenant().tenantId
          clientId: apiRegistration.outputs.appId
          appIdUri: apiRegistration.outputs.appIdUri
          instance: endsWith(loginEndpoint, '/') ? take(loginEndpoint, length(loginEndpoint) - 1) : loginEndpoint
          // Entra issues this API's tokens in exactly the version its registration requests.
          tokenVersions: [accessTokenVersion == 2 ? '2.0' : '1.0']
        }
      ],
      additionalAuthorities
    )

// The name azure.yaml gives the function app's service; azd finds the app by this tag.
var azdServiceName = 'api'

// The front door's required inputs, checked before anything is created (as the signing key policy above).
var apiManagementPublisherEmailChecked = deployApiManagement && (empty(apiManagementFunctionKey) || empty(apiManagementPublisherEmail))
  ? fail('deployApiManagement needs apiManagementPublisherEmail and apiManagementFunctionKey (pass the key on the command line, e.g. apiManagementFunctionKey=$(openssl rand -base64 32))')
  : apiManagementPublisherEmail

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  // azd finds the environment's resource group by azd-env-name (azure.yaml, `azd up`).
  tags: {
    ...allTags
    'azd-env-name': environmentName
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: allTags
  }
}

module apiRegistration 'modules/apiRegistration.bicep' = {
  name: 'apiRegistration'
  scope: rg
  params: {
    uniqueName: apiAppName
    displayName: apiAppDisplayName
    accessTokenVersion: accessTokenVersion
    appRoleAssignmentRequired: appRoleAssignmentRequired
  }
}

module clientRegistration 'modules/clientRegistration.bicep' = if (createClientApp) {
  name: 'clientRegistration'
  scope: rg
  params: {
    uniqueName: clientAppName
    displayName: '${apiAppDisplayName} client'
    apiAppId: apiRegistration.outputs.appId
    apiServicePrincipalId: apiRegistration.outputs.servicePrincipalId
    apiAppRoleIds: apiRegistration.outputs.appRoleIds
    roles: clientAppRoles
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: allTags
    workspaceName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    retentionInDays: logRetentionDays
    telemetryPublisherPrincipalId: identity.outputs.principalId
    authFailureAlertThreshold: authFailureAlertThreshold
    alertEmailAddress: alertEmailAddress
  }
}

module signingKeyVault 'modules/signingKeyVault.bicep' = {
  name: 'signingKeyVault'
  scope: rg
  params: {
    vaultName: 'kv-${resourceToken}'
    location: location
    tags: allTags
    publicNetworkAccess: keyVaultPublicNetworkAccess
    softDeleteRetentionDays: keyVaultSoftDeleteRetentionDays
    signingKeyName: signingKeyName
    signingKeyType: signingKeyType
    signingKeySize: signingKeySize
    rotateAfterDays: signingKeyPolicy.rotateAfterDays
    lifetimeDays: signingKeyPolicy.lifetimeDays
    notifyBeforeExpiryDays: signingKeyPolicy.notifyBeforeExpiryDays
    lifetimeStart: deploymentTime
    signerPrincipalId: identity.outputs.principalId
    auditWorkspaceId: monitoring.outputs.workspaceId
    alertActionGroupIds: monitoring.outputs.actionGroupIds
  }
}

module hostStorage 'modules/hostStorage.bicep' = {
  name: 'hostStorage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: allTags
    deploymentContainerName: 'deployment-package'
    hostPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: allTags
    azdServiceName: azdServiceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: hostStorage.outputs.name
    ordersTableName: hostStorage.outputs.ordersTableName
    revocationsTableName: hostStorage.outputs.revocationsTableName
    deploymentContainerName: hostStorage.outputs.deploymentContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    apiClientId: apiRegistration.outputs.appId
    apiAppIdUri: apiRegistration.outputs.appIdUri
    accessTokenVersion: accessTokenVersion
    allowedClientAppIds: allowedClientAppIds
    authorities: authorities
    fulfilmentUrl: fulfilmentUrl
    fulfilmentAudience: fulfilmentAudience
    signingKeyVaultUrl: signingKeyVault.outputs.vaultUri
    signingKeyName: signingKeyVault.outputs.keyName
    additionalAppSettings: additionalAppSettings
  }
}

module apiManagement 'modules/apiManagement.bicep' = if (deployApiManagement) {
  name: 'apiManagement'
  scope: rg
  params: {
    name: 'apim-${resourceToken}'
    location: location
    tags: allTags
    skuName: apiManagementSku
    publisherEmail: apiManagementPublisherEmailChecked
    publisherName: apiAppDisplayName
    functionAppName: functionApp.outputs.name
    tenantId: tenant().tenantId
    authorities: authorities
    apiClientId: apiRegistration.outputs.appId
    apiAppIdUri: apiRegistration.outputs.appIdUri
    allowedClientAppIds: allowedClientAppIds
    rateLimitCalls: gatewayRateLimitCalls
    rateLimitPeriodSeconds: gatewayRateLimitPeriodSeconds
    functionKey: apiManagementFunctionKey
    apiPath: 'orders-api'
  }
}

output tenantId string = tenant().tenantId
output resourceGroupName string = rg.name
output functionAppName string = functionApp.outputs.name
output functionAppUrl string = functionApp.outputs.url
output apiClientId string = apiRegistration.outputs.appId
output apiAppObjectId string = apiRegistration.outputs.objectId
output apiAppIdUri string = apiRegistration.outputs.appIdUri
output clientCredentialsScope string = '${apiRegistration.outputs.appIdUri}/.default'
output clientAppId string = clientRegistration.?outputs.appId ?? ''
output clientAppObjectId string = clientRegistration.?outputs.objectId ?? ''
output signingKeyVaultUrl string = signingKeyVault.outputs.vaultUri
output signingKeyVaultName string = signingKeyVault.outputs.vaultName
output signingKeyName string = signingKeyVault.outputs.keyName
output managedIdentityClientId string = identity.outputs.clientId
output appInsightsName string = monitoring.outputs.appInsightsName
output apiManagementGatewayUrl string = apiManagement.?outputs.gatewayUrl ?? ''

// What azd reads after provisioning (it stores every output in the environment's .env).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.url
