// Log Analytics + workspace-based Application Insights that accept only
// Entra-authenticated telemetry, an alert on a spike of AuthFailure events, and the
// action group every alert of this environment notifies (signing key expiry included).

param location string
param tags object
param workspaceName string
param appInsightsName string

@minValue(30)
@maxValue(730)
param retentionInDays int

@description('Principal (object) ID of the identity that sends telemetry.')
param telemetryPublisherPrincipalId string

@minValue(1)
param authFailureAlertThreshold int

@description('Empty means no action group: the alerts still fire and show in the portal.')
param alertEmailAddress string

var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
    features: {
      // Queries and ingestion need Entra tokens; no workspace shared keys.
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // The instrumentation key alone can no longer send telemetry: the app must present
    // an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING) for a principal holding
    // Monitoring Metrics Publisher.
    DisableLocalAuth: true
    DisableIpMasking: false
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, telemetryPublisherPrincipalId, monitoringMetricsPublisherRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: telemetryPublisherPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Function app identity sends Entra-authenticated telemetry.'
  }
}

var actionGroupIds = empty(alertEmailAddress) ? [] : [alertRecipients.id]

resource alertRecipients 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddress)) {
  name: 'ag-${appInsightsName}'
  location: 'global'
  tags: tags
  properties: {
    enabled: true
    groupShortName: 'apialerts'
    emailReceivers: [
      {
        name: 'alert-recipient'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

// The query lives in infra/kql so the alert and the documented query cannot drift apart.
// Scoped to the Application Insights resource, so the table is customEvents.
resource authFailureSpike 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'auth-failure-spike-${appInsightsName}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Auth failure spike (${appInsightsName})'
    description: 'More than ${authFailureAlertThreshold} AuthFailure events in 15 minutes: a misconfigured caller, an expired credential or someone probing the API.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: loadTextContent('../kql/auth-failure-spike-alert.kql')
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: authFailureAlertThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroupIds
    }
  }
}

output appInsightsName string = appInsights.name
output appInsightsId string = appInsights.id
output workspaceId string = workspace.id
@description('The action groups alerts notify; empty when no alertEmailAddress was given.')
output actionGroupIds array = actionGroupIds
