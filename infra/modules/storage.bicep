// The app's storage account: function deployment package, inventory uploads, the queues, and the
// static website ($web, switched on after deployment; see README "Deploy to Azure").
// Shared-key access is off: the app, the Functions host and Event Grid all use Microsoft Entra identities.

@description('Storage account name (3-24 lowercase letters and digits).')
param name string
param location string
param tags object

@description('Blob container Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Name of the app\'s user-assigned identity (data roles on blobs, queues and tables).')
param appIdentityName string

@description('Optional: principal id of the person or pipeline that uploads the web site (Blob Data Contributor).')
param deployerPrincipalId string

@description('Origins besides this account\'s own static website that may PUT uploads with a SAS.')
param extraUploadOrigins array

@description('Days an uploaded inventory file or article feed is kept after it was written; the import has long finished by then.')
@minValue(1)
param uploadRetentionDays int = 30

var uploadsContainerName = 'inventory-uploads'
var webEndpoint = storage.properties.primaryEndpoints.web
var webOrigin = 'https://${split(webEndpoint, '/')[2]}'
var queueNames = ['inventory-uploads', 'aftermarket-migration', 'catalog-import']

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    // The browser PUTs inventory files straight to blob storage with a SAS, from the static website's origin.
    cors: {
      corsRules: [
        {
          allowedOrigins: concat([webOrigin], extraUploadOrigins)
          allowedMethods: ['PUT', 'OPTIONS']
          allowedHeaders: ['content-type', 'x-ms-blob-type', 'x-ms-blob-content-type', 'x-ms-version', 'x-ms-client-request-id']
          exposedHeaders: ['etag', 'x-ms-request-id']
          maxAgeInSeconds: 3600
        }
      ]
    }
    deleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource uploadsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobs
  name: uploadsContainerName
  properties: { publicAccess: 'None' }
}

// Processed files are only read once, by the import; what it found is in PostgreSQL (counts, rejected rows).
// The files stay a while for support questions ("what did we send?"), then go, so storage does not grow forever.
resource uploadsLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['${uploadsContainerName}/'] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: uploadRetentionDays } } }
          }
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

// Each queue and its <queue>-poison, which the queue trigger writes after maxDequeueCount failures.
resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queue in flatten(map(queueNames, q => [q, '${q}-poison'])): {
    parent: queueService
    name: queue
  }
]

// Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // blobs, and user-delegation keys for upload SAS
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // the Functions host keeps timers and diagnostics in tables
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource appRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.blobDataOwner, roles.queueDataContributor, roles.tableDataContributor]: {
    name: guid(storage.id, appIdentity.id, role)
    scope: storage
    properties: {
      principalId: appIdentity.properties.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource deployerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage.id, deployerPrincipalId, roles.blobDataContributor)
  scope: storage
  properties: {
    principalId: deployerPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor)
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output webEndpoint string = webEndpoint
output webOrigin string = webOrigin
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
output uploadsContainerName string = uploadsContainer.name
output uploadsQueueName string = queueNames[0]
