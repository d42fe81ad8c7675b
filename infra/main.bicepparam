using './main.bicep'

// environmentName seeds every resource name and the app registration names. azd sets
// AZURE_ENV_NAME (and deploys in AZURE_LOCATION, which main.bicep's location follows);
// without it, change the default per environment. No secrets belong in this file.
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'orders-dev')

param nodeVersion = '22'
param accessTokenVersion = 2
param appRoleAssignmentRequired = true

// Set to true for a ready-made client app holding Orders.Read (add a credential yourself).
param createClientApp = false
param clientAppRoles = [
  'Orders.Read'
]

param signingKeyType = 'RSA'
param signingKeySize = 2048
param signingKeyRotateAfterDays = 90
param signingKeyLifetimeDays = 180
param signingKeyNotifyBeforeExpiryDays = 30
param keyVaultPublicNetworkAccess = 'Enabled'

// Every alert (auth-failure spike, signing key near expiry or expired) emails this address.
param authFailureAlertThreshold = 50
param alertEmailAddress = ''

// Your own app settings: every deployment replaces the app's whole settings collection,
// so settings added in the portal are lost. The template's own settings win on a clash.
param additionalAppSettings = {}
