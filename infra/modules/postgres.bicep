// Azure Database for PostgreSQL flexible server 15 with the extensions the migrations create
// (pg_trgm, unaccent). Reachable from Azure services only, plus one optional client IP.

param name string
param location string
param tags object
param skuName string
param skuTier string
param storageSizeGB int
param administratorLogin string

@secure()
param administratorPassword string

param databaseName string

@description('Optional: one IPv4 address (e.g. yours, for psql) let through the firewall.')
param clientIpAddress string

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2025-08-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, tier: skuTier }
  properties: {
    version: '15'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    authConfig: { passwordAuth: 'Enabled', activeDirectoryAuth: 'Disabled' }
    storage: { storageSizeGB: storageSizeGB, autoGrow: 'Enabled' }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
    network: { publicNetworkAccess: 'Enabled' }
  }
}

// Azure allows CREATE EXTENSION only for allow-listed extensions.
resource extensions 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2025-08-01' = {
  parent: server
  name: 'azure.extensions'
  properties: { value: 'PG_TRGM,UNACCENT', source: 'user-override' }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2025-08-01' = {
  parent: server
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
  dependsOn: [extensions]
}

// 0.0.0.0-0.0.0.0 is Azure's "allow Azure services" rule (Flex Consumption has no fixed outbound IPs).
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2025-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
  dependsOn: [database]
}

resource allowClient 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2025-08-01' = if (!empty(clientIpAddress)) {
  parent: server
  name: 'client-ip'
  properties: { startIpAddress: clientIpAddress, endIpAddress: clientIpAddress }
  dependsOn: [allowAzure]
}

output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
