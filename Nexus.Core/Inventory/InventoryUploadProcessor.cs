using Azure.Storage.Blobs.Models;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Core.Storage;
using Nexus.Core.Workers;
using Npgsql;

namespace Nexus.Core.Inventory;

public enum InventoryUploadOutcome
{
    Completed,
    Failed,
    /// <summary>Already completed or failed: a redelivered message changes nothing.</summary>
    AlreadyFinished,
    /// <summary>No upload was requested for this blob.</summary>
    UnknownUpload,
}

/// <summary>
/// The queue function's work for one BlobCreated message: claim the upload, stream the blob into staging,
/// apply it in one transaction. Safe under at-least-once delivery.
/// </summary>
public sealed class InventoryUploadProcessor(
    NpgsqlDataSource db,
    NexusStorage storage,
    InventoryUploads uploads,
    IOptions<InventoryOptions> options,
    WorkerIdentity worker,
    BackgroundPacing pacing,
    ILogger<InventoryUploadProcessor> logger)
{
    private readonly InventoryOptions _options = options.Value;

    /// <summary>Fault injection for tests: runs at each stage of the import, inside its transaction where there is one.</summary>
    internal Func<InventoryImportStage, CancellationToken, Task> StageReached { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>For tests: the hash under which staging looks for repeated rows (null = the real one); see RowDeduplicator.</summary>
    internal Func<InventoryRow, int>? DuplicateKeyHash { get; set; }

    public async Task HandleMessageAsync(string body, CancellationToken ct)
    {
        if (BlobCreatedMessage.Parse(body) is not { } message || message.Container != storage.Name(NexusStorage.UploadsContainer))
        {
            logger.LogWarning("Ignored a message that is not a BlobCreated event for the uploads container");
            return;
        }
        await ProcessBlobAsync(message.BlobName, ct);
    }

    /// <summary>The message is going to the poison queue: the upload has failed for good.</summary>
    public async Task HandlePoisonAsync(string body, Exception error, CancellationToken ct)
    {
        if (BlobCreatedMessage.Parse(body) is { } message)
        {
            logger.LogError(error, "Upload of blob {BlobName} failed on every attempt", message.BlobName);
            await uploads.FailUnfinishedAsync(message.BlobName, "No se pudo procesar el archivo después de varios intentos. Vuelve a subirlo.", ct);
        }
    }

    public async Task<InventoryUploadOutcome> ProcessBlobAsync(string blobName, CancellationToken ct)
    {
        var token = Guid.NewGuid();
        ClaimedUpload? upload;
        for (var waits = 0; (upload = await uploads.ClaimAsync(blobName, token, worker.Name, _options.ClaimTimeout, ct)) is null; waits++)
        {
            if (await NotClaimedAsync(blobName, ct) is { } outcome)
            {
                return outcome;
            }
            // Another worker holds a live claim (a duplicate message, or our own message redelivered after a crash while
            // the dead worker's heartbeat is still fresh). Failing this delivery would spend its dequeue count in
            // seconds while a claim takes ClaimTimeout to go stale, and the poison hook would then fail an upload that
            // is fine. So this delivery waits, its message kept invisible, until that worker finishes or dies.
            if (waits == 0)
            {
                logger.LogInformation("Upload of blob {BlobName} is held by another worker; waiting for it to finish or go stale", blobName);
            }
            await Task.Delay(_options.HeartbeatInterval, ct);
        }

        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = HeartbeatAsync(upload.IdUpload, token, heartbeatStop.Token);
        try
        {
            var pacer = pacing.Start(_options.ShareWhileBusy);
            var counts = await ImportAsync(upload, token, pacer, ct);
            logger.LogInformation(
                "Processed upload {UploadId}: {RowsImported} imported, {RowsUnchanged} unchanged, {RowsErrors} errors, {Duplicates} duplicates, {RowsMatchedByJoin} matched by a plain join, {PausedSeconds:F1} s given way to requests",
                upload.IdUpload, counts.RowsImported, counts.RowsUnchanged, counts.RowsErrors, counts.Duplicates, counts.RowsMatchedByJoin, pacer.Paused.TotalSeconds);
            return InventoryUploadOutcome.Completed;
        }
        catch (InventoryFileException e)
        {
            logger.LogInformation("Upload {UploadId} failed: {Reason}", upload.IdUpload, e.Message);
            await uploads.FailAsync(upload.IdUpload, token, e.Message, CancellationToken.None);
            return InventoryUploadOutcome.Failed;
        }
        catch (InventoryClaimLostException)
        {
            logger.LogWarning("Upload {UploadId} was taken over by another worker; this attempt rolled back", upload.IdUpload);
            return InventoryUploadOutcome.AlreadyFinished;
        }
        catch (Exception e)
        {
            // Transient (database, storage, shutdown): nothing was applied; hand the upload back so the retry claims it at once.
            logger.LogWarning(e, "Upload {UploadId} attempt failed; it will be retried", upload.IdUpload);
            await uploads.ReleaseAsync(upload.IdUpload, token, CancellationToken.None);
            throw;
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>Why the claim failed: the outcome to return, or null while another worker holds the upload.</summary>
    private async Task<InventoryUploadOutcome?> NotClaimedAsync(string blobName, CancellationToken ct)
    {
        switch (await uploads.StatusAsync(blobName, ct))
        {
            case null:
                logger.LogWarning("No upload was requested for blob {BlobName}; message ignored", blobName);
                return InventoryUploadOutcome.UnknownUpload;
            case "completed" or "failed":
                return InventoryUploadOutcome.AlreadyFinished;
            default:
                return null;
        }
    }

    private async Task<InventoryImportCounts> ImportAsync(ClaimedUpload upload, Guid token, BackgroundPacing.Pacer pacer, CancellationToken ct)
    {
        var blob = storage.Container(NexusStorage.UploadsContainer).GetBlobClient(upload.BlobName);
        var properties = await UploadedBlob.CheckedPropertiesAsync(blob, _options.MaxUploadBytes, ct);
        await RecordBlobAsync(upload.IdUpload, token, properties, ct);

        var mapping = upload.MappingJson is { } json ? InventoryColumnMapping.FromJson(json) : await SavedMappingAsync(upload.UserId, ct);
        await using var connection = await db.OpenConnectionAsync(ct);
        var staging = new InventoryStaging(connection, _options) { DuplicateKeyHash = DuplicateKeyHash, Pacing = pacer };
        await staging.CreateTableAsync(ct);
        try
        {
            // Pinned to the blob's ETag: a blob overwritten mid-read fails the read instead of mixing two files.
            await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, ct);
            var staged = await BackgroundThread.Run(
                () => staging.Load(stream, upload.Filename, mapping, rows => ReportProgress(upload.IdUpload, token, rows), ct), ct);
            await staging.AnalyzeAsync(ct);
            await StageReached(InventoryImportStage.Staged, ct);
            return await new InventoryApply(connection).RunAsync(upload, token, staged, _options, StageReached, ct);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await staging.DropTableAsync();
            }
        }
    }

    private void ReportProgress(long idUpload, Guid token, int rows)
    {
        const string sql = """
            UPDATE inventory_uploads SET rows_processed = @rows, heartbeat_at = now()
            WHERE id_upload = @idUpload AND claim_token = @token AND status = 'processing'
            """;
        using var connection = db.OpenConnection();
        connection.Execute(sql, new { idUpload, token, rows });
    }

    private async Task RecordBlobAsync(long idUpload, Guid token, BlobProperties properties, CancellationToken ct)
    {
        const string sql = """
            UPDATE inventory_uploads SET blob_etag = @etag, content_length = @length
            WHERE id_upload = @idUpload AND claim_token = @token
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { idUpload, token, etag = properties.ETag.ToString(), length = properties.ContentLength }, cancellationToken: ct));
    }

    private async Task<InventoryColumnMapping?> SavedMappingAsync(int userId, CancellationToken ct)
    {
        const string sql = "SELECT mapping::text FROM inventory_column_mappings WHERE user_id = @userId";
        await using var connection = await db.OpenConnectionAsync(ct);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { userId }, cancellationToken: ct));
        return json is null ? null : InventoryColumnMapping.FromJson(json);
    }

    private async Task HeartbeatAsync(long idUpload, Guid token, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await uploads.HeartbeatAsync(idUpload, token, stop);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    logger.LogWarning(e, "Heartbeat of upload {UploadId} failed", idUpload);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
