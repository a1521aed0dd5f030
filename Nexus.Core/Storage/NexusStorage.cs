using Azure.Storage.Blobs;
using Azure.Storage.Queues;
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
        _prefix = options.Value.NamePrefix;
        Blobs = new BlobServiceClient(options.Value.ConnectionString);
        Queues = new QueueServiceClient(options.Value.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
    }

    public BlobServiceClient Blobs { get; }
    public QueueServiceClient Queues { get; }

    public string Name(string baseName) => _prefix + baseName;

    public QueueClient Queue(string baseName) => Queues.GetQueueClient(Name(baseName));

    public BlobContainerClient Container(string baseName) => Blobs.GetBlobContainerClient(Name(baseName));
}
