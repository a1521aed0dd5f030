// Nexus Autoparts on Azure: Function App (Flex Consumption, custom handler), Storage (uploads, queues,
// static website), Event Grid (BlobCreated → queue), PostgreSQL flexible server 15, Key Vault,
// Application Insights. Deploy: see README "Deploy to Azure".
targetScope = 'resourceGroup'

@description('Region for every resource; defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Short lowercase prefix of every resource name.')
@minLength(3)
@maxLength(10)
param baseName string = 'nexus'

@secure()
@minLength(32)
@description('HS256 signing key for access tokens, e.g. `openssl rand -base64 48`. Stored in Key Vault.')
param jwtSigningKey string

@description('PostgreSQL administrator login (the app connects as this user).')
param postgresAdminLogin string = 'nexusadmin'

@secure()
@minLength(16)
@description('PostgreSQL administrator password. Stored in Key Vault inside the app\'s connection string.')
param postgresAdminPassword string

@description('PostgreSQL compute: Burstable B1ms is the cheapest that runs the catalog search comfortably.')
param postgresSkuName string = 'Standard_B1ms'

@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresSkuTier string = 'Burstable'

param postgresStorageSizeGB int = 32

// One instance needs at most: API requests (Nexus:MaxConcurrentRequests, 4 per core) + queue messages (host.json lets
// batchSize + newBatchThreshold = 2 run per function, 3 functions) x 2 connections each (a job and its heartbeat) = 16
// on a 1-core instance. maximumInstanceCount x postgresPoolSize must stay under the server's max_connections.
@description('Npgsql connections per app instance; see the sizing note above.')
param postgresPoolSize int = 16

@description('Optional IPv4 address allowed through the PostgreSQL firewall (e.g. your own, for psql and seeding).')
param clientIpAddress string = ''

@description('Optional object id of whoever uploads the web site (az ad signed-in-user show --query id -o tsv).')
param deployerPrincipalId string = ''

@description('Flex Consumption scale-out limit; x postgresPoolSize stays under max_connections (B1ms: 50).')
param maximumInstanceCount int = 2

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

param deployApplicationInsights bool = true

@description('More browser origins for the API and uploads, e.g. a custom domain in front of the web site.')
param extraWebOrigins array = []

var suffix = uniqueString(resourceGroup().id)
var tags = { app: 'nexus-autoparts' }
var names = {
  identity: 'id-${baseName}-${suffix}'
  storage: take(toLower('st${baseName}${suffix}'), 24)
  vault: take('kv-${baseName}-${suffix}', 24)
  postgres: 'psql-${baseName}-${suffix}'
  functionApp: 'func-${baseName}-${suffix}'
  insights: 'appi-${baseName}-${suffix}'
}
var deploymentContainerName = 'app-package'
var databaseName = 'nexus'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: names.identity, location: location, tags: tags }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  dependsOn: [identity]
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    appIdentityName: names.identity
    deployerPrincipalId: deployerPrincipalId
    extraUploadOrigins: extraWebOrigins
  }
}

module events 'modules/events.bicep' = {
  name: 'events'
  params: {
    storageAccountName: names.storage
    location: location
    tags: tags
    uploadsContainerName: storage.outputs.uploadsContainerName
    uploadsQueueName: storage.outputs.uploadsQueueName
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: names.postgres
    location: location
    tags: tags
    skuName: postgresSkuName
    skuTier: postgresSkuTier
    storageSizeGB: postgresStorageSizeGB
    administratorLogin: postgresAdminLogin
    administratorPassword: postgresAdminPassword
    databaseName: databaseName
    clientIpAddress: clientIpAddress
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  dependsOn: [identity]
  params: {
    name: names.vault
    location: location
    tags: tags
    appIdentityName: names.identity
    jwtSigningKey: jwtSigningKey
    postgresHost: postgres.outputs.host
    postgresDatabase: postgres.outputs.databaseName
    postgresUser: postgresAdminLogin
    postgresPassword: postgresAdminPassword
    postgresPoolSize: postgresPoolSize
  }
}

module monitoring 'modules/monitoring.bicep' = if (deployApplicationInsights) {
  name: 'monitoring'
  dependsOn: [identity]
  params: {
    name: names.insights
    location: location
    tags: tags
    appIdentityName: names.identity
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    jwtKeyReference: vault.outputs.jwtKeyReference
    postgresReference: vault.outputs.postgresReference
    appInsightsConnectionString: monitoring.?outputs.connectionString ?? ''
    corsOrigins: concat([storage.outputs.webOrigin], extraWebOrigins)
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

output functionAppName string = functionApp.outputs.name
output functionAppUrl string = functionApp.outputs.url
output storageAccountName string = storage.outputs.name
output webUrl string = storage.outputs.webEndpoint
output postgresHost string = postgres.outputs.host
output keyVaultName string = names.vault
