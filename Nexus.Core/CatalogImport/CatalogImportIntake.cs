using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;

namespace Nexus.Core.CatalogImport;

public abstract record CatalogImportIntakeResult
{
    /// <summary>Stored in its blob and announced on the catalog-import queue.</summary>
    public sealed record Queued(long ImportId) : CatalogImportIntakeResult;

    public sealed record TooLarge(long Limit) : CatalogImportIntakeResult;
}

/// <summary>
/// Takes an article feed in: records the import (pending), streams the file into its server-named blob in the uploads
/// container in blocks (never the whole file in memory, stopping at the size limit), then enqueues the BlobCreated
/// event for the CatalogImport queue function, in the shape Event Grid delivers.
/// </summary>
public sealed class CatalogImportIntake(
    NexusStorage storage,
    CatalogImports imports,
    IOptions<CatalogImportOptions> options,
    ILogger<CatalogImportIntake> logger)
{
    private const int BlockBytes = 4 * 1024 * 1024;

    private readonly CatalogImportOptions _options = options.Value;

    public async Task<CatalogImportIntakeResult> ReceiveAsync(int userId, string fileName, Stream content, CancellationToken ct)
    {
        var (importId, blobName) = await imports.CreateAsync(userId, fileName, ct);
        var limited = new SizeLimitedStream(content, _options.MaxUploadBytes);
        BlobContentInfo stored;
        try
        {
            stored = (await storage.Container(NexusStorage.UploadsContainer).GetBlobClient(blobName).UploadAsync(limited, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockBytes, MaximumTransferSize = BlockBytes, MaximumConcurrency = 2 },
            }, ct)).Value;
        }
        catch (UploadTooLargeException e)
        {
            await imports.FailUnfinishedAsync(blobName, e.Message, CancellationToken.None);
            logger.LogInformation("Catalog import {ImportId} refused: more than {Limit} bytes", importId, e.Limit);
            return new CatalogImportIntakeResult.TooLarge(e.Limit);
        }
        catch (Exception)
        {
            await imports.FailUnfinishedAsync(blobName, "La subida del archivo se interrumpió: vuelve a subirlo.", CancellationToken.None);
            throw;
        }

        try
        {
            var message = BlobCreatedMessage.Create(storage.Blobs.Uri.ToString(), storage.Name(NexusStorage.UploadsContainer), blobName,
                stored.ETag.ToString(), limited.BytesRead);
            await storage.SendAsync(NexusStorage.CatalogImportQueue, message, ct);
        }
        catch (Exception)
        {
            await imports.FailUnfinishedAsync(blobName, "El archivo se recibió pero no se pudo poner en la cola de proceso: vuelve a subirlo.", CancellationToken.None);
            throw;
        }
        logger.LogInformation("Catalog import {ImportId} received from {UserId}: {Size} bytes queued as blob {BlobName}", importId, userId, limited.BytesRead, blobName);
        return new CatalogImportIntakeResult.Queued(importId);
    }
}
