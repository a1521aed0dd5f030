using System.Text;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;

namespace Nexus.Core.Storage;

/// <summary>The app's blob containers and queues, named with the configured prefix.</summary>
public sealed class NexusStorage
{
    public const string InventoryUploadsQueue = "inventory-uploads";
    public const string AftermarketMigrationQueue = "aftermarket-migration";
    public const string CatalogImportQueue = "catalog-import";
    public const string UploadsContainer = "inventory-uploads";

    private readonly string _prefix;

    public NexusStorage(IOptions<StorageOptions> options)
    {
        var o = options.Value;
        _prefix = o.NamePrefix;
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        if (o.UsesConnectionString)
        {
            Blobs = new BlobServiceClient(o.ConnectionString);
            Queues = new QueueServiceClient(o.ConnectionString, queueOptions);
            return;
        }
        TokenCredential credential = string.IsNullOrEmpty(o.ClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(o.ClientId));
        Blobs = new BlobServiceClient(o.BlobServiceUri, credential);
        Queues = new QueueServiceClient(o.QueueServiceUri, credential, queueOptions);
    }

    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }

    public string Name(string baseName) => _prefix + baseName;

    public QueueClient Queue(string baseName) => Queues.GetQueueClient(Name(baseName));

    public BlobContainerClient Container(string baseName) => Blobs.GetBlobContainerClient(Name(baseName));

    /// <summary>
    /// Raised after this process enqueued a message, with the queue's base name. Standalone mode's listener on that queue
    /// then polls at once instead of after its back-off; in Azure the Functions host polls, and nothing listens here.
    /// </summary>
    public event Action<string>? MessageSent;

    /// <summary>Enqueues a message, base64-encoded as the Functions queue trigger expects by default (host.json messageEncoding).</summary>
    public async Task SendAsync(string queueBaseName, string text, CancellationToken cancellationToken)
    {
        await Queue(queueBaseName).SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), cancellationToken);
        MessageSent?.Invoke(queueBaseName);
    }

    /// <summary>
    /// A SAS URL for one blob: signed with the account key when the connection has one, otherwise with a
    /// user delegation key obtained with the managed identity (needs Storage Blob Data Owner or Blob Delegator).
    /// </summary>
    public async Task<Uri> SignAsync(BlobClient blob, BlobSasBuilder sas, CancellationToken cancellationToken)
    {
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }
        var key = await Blobs.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(sas.ExpiresOn), cancellationToken);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, Blobs.AccountName) }.ToUri();
    }
}
