// Storage for the Functions host and the Flex Consumption deployment package.
// Shared keys are off: the host and the platform reach it with the app's identity.

@minLength(3)
@maxLength(24)
param name string

param location string
param tags object
param deploymentContainerName string

@description('Principal (object) ID of the function app identity.')
param hostPrincipalId string

@description('The table the Orders API keeps its orders in (one partition per tenant). The app never creates it in Azure.')
@minLength(3)
@maxLength(63)
param ordersTableName string = 'orders'

@description('The table of the API\'s token deny rules (see lib/revocation). Same account as the orders; the app never creates it in Azure.')
@minLength(3)
@maxLength(63)
param revocationsTableName string = 'revocations'

// Blob Data Owner: host leases, keys and the deployment package. Table Data
// Contributor: the host's diagnostic events, which explain a failure to start.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageTableDataContributorRoleId = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource hostBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, hostPrincipalId, storageBlobDataOwnerRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: hostPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions host storage and the deployment package.'
  }
}

resource hostTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, hostPrincipalId, storageTableDataContributorRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: hostPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions host diagnostic events.'
  }
}

// The Orders API's table. Its own Table Data Contributor grant is scoped to this
// table alone (the narrowest scope Azure RBAC offers for table data), so the
// orders keep working whatever becomes of the host's account-wide grant above.
resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource ordersTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: ordersTableName
}

resource ordersTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(ordersTable.id, hostPrincipalId, storageTableDataContributorRoleId)
  scope: ordersTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: hostPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Orders API: read and write the orders table.'
  }
}

// The deny rules' table, with a grant scoped to it alone as for the orders: every instance reads it
// every few seconds and the admin API writes it, and nothing else of the account's table data is needed for that.
resource revocationsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: revocationsTableName
}

resource revocationsTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(revocationsTable.id, hostPrincipalId, storageTableDataContributorRoleId)
  scope: revocationsTable
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributorRoleId)
    principalId: hostPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Orders API: read the token deny rules, and write them through the admin API.'
  }
}

output name string = storage.name
output ordersTableName string = ordersTable.name
output revocationsTableName string = revocationsTable.name
output deploymentContainerName string = deploymentContainer.name
