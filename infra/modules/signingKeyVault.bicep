// The vault and the key the app signs with. The private key never leaves Key Vault:
// the app asks Key Vault to sign and publishes the public halves of the key versions.

param vaultName string
param location string
param tags object

@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string

@minValue(7)
@maxValue(90)
@description('Create-only: Key Vault fixes soft-delete retention when the vault is created and rejects a different value later.')
param softDeleteRetentionDays int

param signingKeyName string

@allowed(['RSA', 'RSA-HSM'])
param signingKeyType string

@allowed([2048, 3072, 4096])
param signingKeySize int

@minValue(7)
param rotateAfterDays int

@minValue(28)
param lifetimeDays int

@minValue(7)
param notifyBeforeExpiryDays int

@description('Start of the first key version\'s lifetime (ISO 8601).')
param lifetimeStart string

@description('Principal (object) ID of the identity that signs.')
param signerPrincipalId string

@description('Resource ID of the Log Analytics workspace that keeps the vault\'s audit log.')
param auditWorkspaceId string

@description('Action groups told when the key nears expiry or expires.')
param alertActionGroupIds array

// The app reads the key's versions and public halves (keys/read covers getKey and the
// version list) and asks Key Vault to sign. Nothing else: the built-in Key Vault Crypto
// User would also let it update its own key (operations, expiry, enabled) and back it up.
var signerDataActions = [
  'Microsoft.KeyVault/vaults/keys/read'
  'Microsoft.KeyVault/vaults/keys/sign/action'
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      // HSM-protected keys need the premium SKU.
      name: signingKeyType == 'RSA-HSM' ? 'premium' : 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'None'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

// Key Vault raises expiry events only for versions created after the subscription exists,
// and audits only once the diagnostic setting exists: both come before the key.
module guards 'signingKeyAlerts.bicep' = {
  name: 'signingKeyAlerts'
  params: {
    vaultName: vault.name
    location: location
    tags: tags
    workspaceId: auditWorkspaceId
    actionGroupIds: alertActionGroupIds
  }
}

// ARM creates the first version only; redeploying never rotates or rewrites the key.
resource signingKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  dependsOn: [
    guards
  ]
  name: signingKeyName
  tags: tags
  properties: {
    kty: signingKeyType
    keySize: signingKeySize
    keyOps: [
      'sign'
      'verify'
    ]
    attributes: {
      enabled: true
      exportable: false
      exp: dateTimeToEpoch(dateTimeAdd(lifetimeStart, 'P${lifetimeDays}D'))
    }
    rotationPolicy: {
      attributes: {
        expiryTime: 'P${lifetimeDays}D'
      }
      lifetimeActions: [
        {
          action: {
            type: 'rotate'
          }
          trigger: {
            timeAfterCreate: 'P${rotateAfterDays}D'
          }
        }
        {
          // Fires only when a version nears expiry, that is when rotation did not happen.
          action: {
            type: 'notify'
          }
          trigger: {
            timeBeforeExpiry: 'P${notifyBeforeExpiryDays}D'
          }
        }
      ]
    }
  }
}

// One custom role per environment. Its name (a GUID) and its roleName must both be unique in
// the tenant: the GUID is seeded with the resource group's ID, which holds the subscription,
// and roleName carries the vault's globally unique name. It is assignable in this resource
// group only, so it cannot be used to reach anything outside the environment.
resource keySignerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'signing-key-signer')
  properties: {
    roleName: 'Signing key signer (${vaultName})'
    description: 'Read the versions and public halves of a Key Vault key and sign with it. Nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: signerDataActions
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

// Granted on the key itself, not the vault: the identity can touch no other key.
resource signerOnKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signingKey.id, signerPrincipalId, keySignerRole.id)
  scope: signingKey
  properties: {
    // Custom role IDs live at subscription level wherever the definition was deployed.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keySignerRole.name)
    principalId: signerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Function app identity signs with this key and reads its public versions.'
  }
}

output vaultName string = vault.name
output vaultUri string = vault.properties.vaultUri
output keyName string = signingKey.name
output keyUri string = signingKey.properties.keyUri
