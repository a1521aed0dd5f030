using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Core.Storage;
using Npgsql;

namespace Nexus.Core.Inventory;

/// <summary>What a client needs to write its file straight to storage: a create-only SAS URL for one server-named blob.</summary>
public sealed record UploadTicket(long UploadId, string BlobName, Uri UploadUrl, DateTimeOffset ExpiresAt);

public abstract record UploadIntakeResult
{
    /// <summary>The BlobCreated message is on the queue (or was already, when the upload had left pending).</summary>
    public sealed record Queued(long UploadId) : UploadIntakeResult;

    public sealed record NotFound : UploadIntakeResult;

    public sealed record BlobMissing : UploadIntakeResult;

    public sealed record TooLarge(long Limit, long? Size) : UploadIntakeResult;

    /// <summary>Streamed into its blob, not yet announced: the caller announces or abandons it.</summary>
    public sealed record Stored(StoredUpload Upload) : UploadIntakeResult;
}

public sealed record StoredUpload(long UploadId, string BlobName, ETag ETag, long ContentLength);

/// <summary>
/// Takes files in: hands out upload URLs, checks an uploaded blob and announces it, or streams a file into its blob.
/// The announcement is the message Event Grid delivers for BlobCreated in Azure; the processor tolerates both arriving.
/// </summary>
public sealed class InventoryUploadIntake(
    NpgsqlDataSource db,
    NexusStorage storage,
    InventoryUploads uploads,
    IOptions<InventoryOptions> options,
    TimeProvider time,
    ILogger<InventoryUploadIntake> logger)
{
    private const int BlockBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(15);

    private readonly InventoryOptions _options = options.Value;

    private sealed record PendingUpload(string BlobName, string Status);

    private BlobContainerClient Container => storage.Container(NexusStorage.UploadsContainer);

    public string TooLargeMessage => new UploadTooLargeException(_options.MaxUploadBytes).Message;

    /// <summary>Records a pending upload and signs a URL that can create that one blob and do nothing else.</summary>
    /// <exception cref="UploadQuotaExceededException">The bodega has too many uploads in flight or requested in the last hour.</exception>
    public async Task<UploadTicket> RequestAsync(int userId, string fileName, string mode, InventoryColumnMapping? mapping, CancellationToken ct)
    {
        var (uploadId, blobName) = await uploads.CreateAsync(userId, fileName, mode, mapping, ct, UploadQuota.From(_options));
        var blob = Container.GetBlobClient(blobName);
        var now = time.GetUtcNow();
        var expiresAt = now + _options.UploadUrlLifetime;
        var sas = new BlobSasBuilder(BlobSasPermissions.Create, expiresAt)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = now - ClockSkewAllowance,
            // Azurite listens on plain http; real storage accounts only ever get https-only URLs.
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        logger.LogInformation("Upload {UploadId} requested by {UserId}: blob {BlobName}", uploadId, userId, blobName);
        return new UploadTicket(uploadId, blobName, await storage.SignAsync(blob, sas, ct), expiresAt);
    }

    /// <summary>The client says its PUT is done: check the blob and announce it.</summary>
    public async Task<UploadIntakeResult> CompleteAsync(int userId, long uploadId, CancellationToken ct)
    {
        const string sql = "SELECT blob_name, status FROM inventory_uploads WHERE id_upload = @uploadId AND user_id = @userId";
        PendingUpload? found;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            found = await connection.QuerySingleOrDefaultAsync<PendingUpload>(new CommandDefinition(sql, new { uploadId, userId }, cancellationToken: ct));
        }
        if (found is null)
        {
            return new UploadIntakeResult.NotFound();
        }
        if (found.Status != "pending")
        {
            return new UploadIntakeResult.Queued(uploadId);
        }
        var blob = Container.GetBlobClient(found.BlobName);
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new UploadIntakeResult.BlobMissing();
        }
        if (properties.ContentLength > _options.MaxUploadBytes)
        {
            await uploads.FailUnfinishedAsync(found.BlobName, TooLargeMessage, ct);
            await blob.DeleteIfExistsAsync(cancellationToken: ct);
            logger.LogInformation("Upload {UploadId} refused: {Size} bytes", uploadId, properties.ContentLength);
            return new UploadIntakeResult.TooLarge(_options.MaxUploadBytes, properties.ContentLength);
        }
        await AnnounceAsync(found.BlobName, properties.ETag, properties.ContentLength, ct);
        logger.LogInformation("Upload {UploadId} completed by the client: {Size} bytes queued", uploadId, properties.ContentLength);
        return new UploadIntakeResult.Queued(uploadId);
    }

    /// <summary>
    /// Streams a request body into the upload's blob in blocks (never the whole file in memory), stopping at the size limit.
    /// A file over the limit leaves no blob (its blocks are never committed) and a failed upload. Call
    /// <see cref="AnnounceAsync(StoredUpload, CancellationToken)"/> or <see cref="AbandonAsync"/> with what it stored.
    /// </summary>
    /// <exception cref="UploadQuotaExceededException">As for <see cref="RequestAsync"/>; nothing is read or stored.</exception>
    public async Task<UploadIntakeResult> ReceiveAsync(int userId, string fileName, string mode, InventoryColumnMapping? mapping, Stream content, CancellationToken ct)
    {
        var (uploadId, blobName) = await uploads.CreateAsync(userId, fileName, mode, mapping, ct, UploadQuota.From(_options));
        var limited = new SizeLimitedStream(content, _options.MaxUploadBytes);
        BlobContentInfo stored;
        try
        {
            stored = (await Container.GetBlobClient(blobName).UploadAsync(limited, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockBytes, MaximumTransferSize = BlockBytes, MaximumConcurrency = 2 },
            }, ct)).Value;
        }
        catch (UploadTooLargeException e)
        {
            await uploads.FailUnfinishedAsync(blobName, e.Message, CancellationToken.None);
            logger.LogInformation("Upload {UploadId} refused: more than {Limit} bytes", uploadId, e.Limit);
            return new UploadIntakeResult.TooLarge(e.Limit, null);
        }
        catch (Exception)
        {
            await uploads.FailUnfinishedAsync(blobName, "La subida del archivo se interrumpió: vuelve a subirlo.", CancellationToken.None);
            throw;
        }
        logger.LogInformation("Upload {UploadId} received from {UserId}: {Size} bytes", uploadId, userId, limited.BytesRead);
        return new UploadIntakeResult.Stored(new StoredUpload(uploadId, blobName, stored.ETag, limited.BytesRead));
    }

    public Task AnnounceAsync(StoredUpload upload, CancellationToken ct) => AnnounceAsync(upload.BlobName, upload.ETag, upload.ContentLength, ct);

    /// <summary>The request turned out invalid after the file was stored: the upload fails and its blob goes.</summary>
    public async Task AbandonAsync(StoredUpload upload, string reason, CancellationToken ct)
    {
        await uploads.FailUnfinishedAsync(upload.BlobName, reason, ct);
        await Container.GetBlobClient(upload.BlobName).DeleteIfExistsAsync(cancellationToken: ct);
    }

    /// <summary>Enqueues the BlobCreated event (what Event Grid delivers in Azure, design.md §1).</summary>
    private async Task AnnounceAsync(string blobName, ETag eTag, long contentLength, CancellationToken ct)
    {
        var message = BlobCreatedMessage.Create(storage.Blobs.Uri.ToString(), storage.Name(NexusStorage.UploadsContainer), blobName, eTag.ToString(), contentLength);
        await storage.SendAsync(NexusStorage.InventoryUploadsQueue, message, ct);
    }
}
