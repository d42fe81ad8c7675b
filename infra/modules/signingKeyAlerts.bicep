// Makes the signing key's life visible: every Key Vault call is audited in Log Analytics,
// and Key Vault's expiry events become Azure Monitor alerts a person sees. If rotation
// fails, signing stops when the current version expires; these alerts come first.
// signingKeyVault.bicep deploys this between the vault and the key.

@description('Name of the signing key vault (in this resource group).')
param vaultName string

@description('The vault\'s region: a system topic lives beside its source.')
param location string

param tags object

@description('Resource ID of the Log Analytics workspace that keeps the audit log.')
param workspaceId string

@description('Action groups told about each alert. Empty: the alerts still show in Monitor > Alerts.')
param actionGroupIds array

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

// Every data-plane call (sign, get, list, rotate, update, policy changes) with the caller's
// identity and address. Dedicated: the resource-specific AZKVAuditLogs table that
// infra/kql/key-vault-signing-key-audit.kql reads.
resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        category: 'AuditEvent'
        enabled: true
      }
    ]
  }
}

resource vaultEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: 'evgt-${vaultName}'
  location: location
  tags: tags
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }
}

// Near expiry is raised by the key's rotation policy only when a version nears its end
// unrotated; expired means signing with it has stopped.
var expiryAlerts = [
  {
    name: 'signing-key-near-expiry'
    eventType: 'Microsoft.KeyVault.KeyNearExpiry'
    severity: 'Sev2'
    description: 'A key in ${vaultName} is near expiry without having been rotated: rotate it (docs/deploy.md, "Rotate the signing key") before signing stops.'
  }
  {
    name: 'signing-key-expired'
    eventType: 'Microsoft.KeyVault.KeyExpired'
    severity: 'Sev1'
    description: 'A key version in ${vaultName} has expired: if it was the current one, the app can no longer sign. Rotate the key now.'
  }
]

// MonitorAlert turns each event into an Azure Monitor alert and runs the action groups:
// e-mail without any code to host or secure.
resource expirySubscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = [
  for alert in expiryAlerts: {
    parent: vaultEvents
    name: alert.name
    properties: {
      eventDeliverySchema: 'CloudEventSchemaV1_0'
      destination: {
        endpointType: 'MonitorAlert'
        properties: {
          severity: alert.severity
          description: alert.description
          actionGroups: actionGroupIds
        }
      }
      filter: {
        includedEventTypes: [
          alert.eventType
        ]
      }
    }
  }
]

output systemTopicName string = vaultEvents.name
