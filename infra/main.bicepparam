using './main.bicep'

// Change environmentName per environment: it seeds every resource name and the
// app registration names. No secrets belong in this file.
param environmentName = 'orders-dev'

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

param authFailureAlertThreshold = 50
param alertEmailAddress = ''
