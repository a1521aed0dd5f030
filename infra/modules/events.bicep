// Blob created in inventory-uploads → Event Grid → message on the inventory-uploads queue → the
// InventoryUpload queue function (design §1: no blob trigger). Delivery uses the system topic's own
// identity, which may only send queue messages. Article feeds share the container under catalog-imports/;
// the app announces those itself on the catalog-import queue, so they are filtered out here.

param storageAccountName string
param location string
param tags object
param uploadsContainerName string
param uploadsQueueName string

var queueMessageSenderRole = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a' // Storage Queue Data Message Sender

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${storageAccountName}-events'
  location: location
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicMaySend 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, topic.id, queueMessageSenderRole)
  scope: storage
  properties: {
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueMessageSenderRole)
  }
}

resource uploadCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'inventory-upload-created'
  // Event Grid checks that it may write to the queue when the subscription is created.
  dependsOn: [topicMaySend]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: uploadsQueueName
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${uploadsContainerName}/'
      // A finished upload: single PUT, committed block list (the browser's chunked upload), or ADLS flush.
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: ['PutBlob', 'PutBlockList', 'FlushWithClose']
        }
        {
          operatorType: 'StringNotBeginsWith'
          key: 'subject'
          values: ['/blobServices/default/containers/${uploadsContainerName}/blobs/catalog-imports/']
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = topic.name
