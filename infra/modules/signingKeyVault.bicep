// The vault and the key the app signs with. The private key never leaves Key Vault:
// the app asks Key Vault to sign and publishes the public halves of the key versions.

param vaultName string
param location string
param tags object

@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string

@minValue(7)
@maxValue(90)
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

// Sign, verify, read the key and list its versions (keys/read covers the public
// material and the version list). It also allows update/backup and the
// encrypt/wrap family, which keyOps below rule out for this key.
var keyVaultCryptoUserRoleId = '12338af0-0e69-4776-bea7-57ae8d297424'

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

// ARM creates the first version only; redeploying never rotates or rewrites the key.
resource signingKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
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

// Granted on the key itself, not the vault: the identity can touch no other key.
resource signerOnKey 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signingKey.id, signerPrincipalId, keyVaultCryptoUserRoleId)
  scope: signingKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultCryptoUserRoleId)
    principalId: signerPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Function app identity signs with this key and reads its public versions.'
  }
}

output vaultName string = vault.name
output vaultUri string = vault.properties.vaultUri
output keyName string = signingKey.name
output keyUri string = signingKey.properties.keyUri
