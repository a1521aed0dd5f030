using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using Nexus.Core.Workers;
using Npgsql;

namespace Nexus.Core.CatalogImport;

public enum CatalogImportOutcome
{
    Completed,
    Failed,
    /// <summary>Already completed or failed: a redelivered message changes nothing.</summary>
    AlreadyFinished,
    /// <summary>No import was recorded for this blob.</summary>
    UnknownImport,
}

/// <summary>
/// The CatalogImport queue function's work for one message (a BlobCreated event naming the feed's blob): claim the
/// import, stream the blob into staging, apply it in one transaction. Safe under at-least-once delivery.
/// </summary>
public sealed class CatalogImportProcessor(
    NpgsqlDataSource db,
    NexusStorage storage,
    CatalogImports imports,
    IOptions<CatalogImportOptions> options,
    ILogger<CatalogImportProcessor> logger)
{
    private readonly CatalogImportOptions _options = options.Value;

    /// <summary>Fault injection for tests: runs at each stage of the import, inside its transaction where there is one.</summary>
    internal Func<CatalogImportStage, CancellationToken, Task> StageReached { get; set; } = (_, _) => Task.CompletedTask;

    public async Task HandleMessageAsync(string body, CancellationToken ct)
    {
        if (Parse(body) is not { } message)
        {
            logger.LogWarning("Ignored a message that is not a BlobCreated event for a catalog import blob");
            return;
        }
        await ProcessBlobAsync(message.BlobName, ct);
    }

    /// <summary>The message is going to the poison queue: the import has failed for good, with the last error as its reason.</summary>
    public async Task HandlePoisonAsync(string body, Exception error, long attempts, CancellationToken ct)
    {
        if (Parse(body) is not { } message)
        {
            return;
        }
        logger.LogError(error, "Catalog import of blob {BlobName} failed on all {Attempts} attempts", message.BlobName, attempts);
        var reason = $"No se pudo procesar el archivo después de {attempts} intentos ({error.GetType().Name}: {error.Message}). Vuelve a subirlo.";
        await imports.FailUnfinishedAsync(message.BlobName, reason, ct);
    }

    public async Task<CatalogImportOutcome> ProcessBlobAsync(string blobName, CancellationToken ct)
    {
        var token = Guid.NewGuid();
        ClaimedImport? import;
        for (var waits = 0; (import = await imports.ClaimAsync(blobName, token, _options.ClaimTimeout, ct)) is null; waits++)
        {
            if (await NotClaimedAsync(blobName, ct) is { } outcome)
            {
                return outcome;
            }
            // Another worker holds a live claim (a duplicate message, or ours redelivered after a crash while the dead
            // worker's heartbeat is still fresh). Failing would spend the dequeue count in seconds while a claim takes
            // ClaimTimeout to go stale, and the poison hook would then fail a good import: wait, the message kept invisible.
            if (waits == 0)
            {
                logger.LogInformation("Catalog import of blob {BlobName} is held by another worker; waiting for it to finish or go stale", blobName);
            }
            await Task.Delay(_options.HeartbeatInterval, ct);
        }

        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = HeartbeatAsync(import.IdImport, token, heartbeatStop.Token);
        try
        {
            var counts = await ImportAsync(import, token, ct);
            logger.LogInformation(
                "Processed catalog import {ImportId}: {RowsImported} of {RowsTotal} rows imported, {AftermarketCreated} aftermarket parts created, "
                + "{AftermarketUpdated} updated, {VehicleLinksCreated} vehicle links, {Problems} problems",
                import.IdImport, counts.RowsImported, counts.RowsTotal, counts.AftermarketCreated, counts.AftermarketUpdated, counts.VehicleLinksCreated, counts.Problems);
            return CatalogImportOutcome.Completed;
        }
        catch (InventoryFileException e)
        {
            logger.LogInformation("Catalog import {ImportId} failed: {Reason}", import.IdImport, e.Message);
            await imports.FailAsync(import.IdImport, token, e.Message, CancellationToken.None);
            return CatalogImportOutcome.Failed;
        }
        catch (CatalogImportClaimLostException)
        {
            logger.LogWarning("Catalog import {ImportId} was taken over by another worker; this attempt rolled back", import.IdImport);
            return CatalogImportOutcome.AlreadyFinished;
        }
        catch (Exception e)
        {
            // Transient (database, storage, shutdown): nothing was applied; hand the import back so the retry claims it at once.
            logger.LogWarning(e, "Catalog import {ImportId} attempt failed; it will be retried", import.IdImport);
            await imports.ReleaseAsync(import.IdImport, token, CancellationToken.None);
            throw;
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>A BlobCreated event for a blob under catalog-imports/ in the uploads container; null for anything else.</summary>
    private BlobCreatedMessage? Parse(string body) =>
        BlobCreatedMessage.Parse(body) is { } message
        && message.Container == storage.Name(NexusStorage.UploadsContainer)
        && message.BlobName.StartsWith(CatalogImports.BlobPrefix, StringComparison.Ordinal)
            ? message
            : null;

    /// <summary>Why the claim failed: the outcome to return, or null while another worker holds the import.</summary>
    private async Task<CatalogImportOutcome?> NotClaimedAsync(string blobName, CancellationToken ct)
    {
        switch (await imports.StatusAsync(blobName, ct))
        {
            case null:
                logger.LogWarning("No catalog import was recorded for blob {BlobName}; message ignored", blobName);
                return CatalogImportOutcome.UnknownImport;
            case "completed" or "failed":
                return CatalogImportOutcome.AlreadyFinished;
            default:
                return null;
        }
    }

    private async Task<CatalogImportCounts> ImportAsync(ClaimedImport import, Guid token, CancellationToken ct)
    {
        var blob = storage.Container(NexusStorage.UploadsContainer).GetBlobClient(import.BlobName);
        var properties = await UploadedBlob.CheckedPropertiesAsync(blob, _options.MaxUploadBytes, ct);
        await imports.RecordBlobAsync(import.IdImport, token, properties.ETag.ToString(), properties.ContentLength, ct);

        await using var connection = await db.OpenConnectionAsync(ct);
        var staging = new CatalogImportStaging(connection, _options);
        await staging.CreateTableAsync(ct);
        try
        {
            // Pinned to the blob's ETag: a blob overwritten mid-read fails the read instead of mixing two files.
            await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, ct);
            var rows = await BackgroundThread.Run(
                () => staging.Load(stream, import.Filename, staged => imports.ReportProgress(import.IdImport, token, staged), ct), ct);
            await staging.AnalyzeAsync(ct);
            await StageReached(CatalogImportStage.Staged, ct);
            return await new CatalogImportApply(connection).RunAsync(import, token, rows, _options.MaxStoredProblems, StageReached, ct);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await staging.DropTableAsync();
            }
        }
    }

    private async Task HeartbeatAsync(long idImport, Guid token, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await imports.HeartbeatAsync(idImport, token, stop);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning(e, "Heartbeat of catalog import {ImportId} failed", idImport);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}

