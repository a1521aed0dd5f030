// The Function App on Flex Consumption. The package (artifacts/functionapp.zip from ./nexus publish)
// is a custom handler: host.json starts Nexus.Functions, a self-contained linux-x64 ASP.NET Core server.

param name string
param location string
param tags object

param identityId string
param identityClientId string

@description('Container URL the platform deploys the app package from.')
param deploymentContainerUrl string

param storageAccountName string
param blobEndpoint string
param queueEndpoint string

@description('@Microsoft.KeyVault(...) references.')
param jwtKeyReference string
param postgresReference string

@description('Empty when Application Insights is not deployed.')
param appInsightsConnectionString string

@description('Browser origins allowed to call the API (the static website).')
param corsOrigins array

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@allowed([512, 2048, 4096])
param instanceMemoryMB int

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

var identitySettings = {
  // The Functions host's own storage (leases, deployment bookkeeping), identity-based.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Connection "Storage": read by the host's queue triggers (function.json "connection": "Storage")
  // and by the app itself (Storage:BlobServiceUri / QueueServiceUri / ClientId, see NexusStorage).
  Storage__blobServiceUri: blobEndpoint
  Storage__queueServiceUri: queueEndpoint
  Storage__credential: 'managedidentity'
  Storage__clientId: identityClientId
}

var appSettings = union(identitySettings, {
  ConnectionStrings__Postgres: postgresReference
  Jwt__SigningKey: jwtKeyReference
}, empty(appInsightsConnectionString) ? {} : {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
})

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: { allowedOrigins: corsOrigins, supportCredentials: false }
      appSettings: [for setting in items(appSettings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: { name: 'custom', version: '1.0' }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
    }
  }
}

output name string = app.name
output url string = 'https://${app.properties.defaultHostName}'
