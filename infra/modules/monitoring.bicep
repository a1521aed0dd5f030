// Application Insights (workspace-based). The Functions host sends its telemetry with the app's
// managed identity (local authentication is off), hence Monitoring Metrics Publisher.

param name string
param location string
param tags object
@description('Name of the app\'s user-assigned identity.')
param appIdentityName string

var metricsPublisherRole = '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: '${name}-logs'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource appMayPublish 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, appIdentity.id, metricsPublisherRole)
  scope: insights
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisherRole)
  }
}

output connectionString string = insights.properties.ConnectionString
