// Key Vault in RBAC mode holding the app's two secrets; the app settings reference them
// (@Microsoft.KeyVault(SecretUri=...)) and the Function App reads them with its managed identity.

param name string
param location string
param tags object
@description('Name of the app\'s user-assigned identity.')
param appIdentityName string

@secure()
@description('HS256 signing key for access tokens (at least 32 bytes).')
param jwtSigningKey string

param postgresHost string
param postgresDatabase string
param postgresUser string

@secure()
param postgresPassword string

@description('Npgsql pool size per instance; instances x pool must stay below the server\'s max_connections.')
param postgresPoolSize int

var secretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource jwtKey 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'jwt-signing-key'
  properties: { value: jwtSigningKey, contentType: 'text/plain' }
}

resource postgresConnection 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'postgres-connection-string'
  properties: {
    value: 'Host=${postgresHost};Port=5432;Database=${postgresDatabase};Username=${postgresUser};Password=${postgresPassword};SSL Mode=VerifyFull;Maximum Pool Size=${postgresPoolSize}'
    contentType: 'text/plain'
  }
}

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource appMayRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, secretsUserRole)
  scope: vault
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRole)
  }
}

// Versionless URIs: the app picks up a rotated secret on its next restart (or within 24 h).
output jwtKeyReference string = '@Microsoft.KeyVault(SecretUri=${jwtKey.properties.secretUri})'
output postgresReference string = '@Microsoft.KeyVault(SecretUri=${postgresConnection.properties.secretUri})'
