using Dapper;
using Microsoft.Extensions.Logging;
using Nexus.Core.Workers;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Processes one batch of a run in one transaction. Idempotent: the batch row is locked first, and a batch that is
/// already completed or failed is left alone, so a redelivered message changes nothing. A crash rolls everything
/// back and the redelivery starts over.
/// </summary>
public sealed class AftermarketBatchWorker(NpgsqlDataSource dataSource, WorkerIdentity worker, ILogger<AftermarketBatchWorker> logger)
{
    public async Task<BatchOutcome> ProcessAsync(MigrationBatchMessage message, CancellationToken cancellationToken)
    {
        await MarkStartedAsync(message, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = await connection.QuerySingleOrDefaultAsync<LockedBatch>(new CommandDefinition(
            LockBatchSql, new { message.RunId, message.BatchNo }, transaction, cancellationToken: cancellationToken));
        if (batch is null || batch.Status is BatchStatus.Completed or BatchStatus.Failed || batch.RunStatus == RunStatus.Reverted)
        {
            logger.LogInformation("Batch {BatchNo} of aftermarket migration {RunId} needs no work ({BatchStatus})",
                message.BatchNo, message.RunId, batch?.Status ?? "unknown");
            return new BatchOutcome(false, 0, 0, 0, false, null);
        }

        await connection.ExecuteAsync(new CommandDefinition(AftermarketResolution.SessionSettingsSql, transaction: transaction, cancellationToken: cancellationToken));
        await AftermarketResolution.ResolveAsync(connection, transaction, message.RunId, batch.IdFrom, batch.IdTo, cancellationToken);
        if (!batch.DryRun)
        {
            await AftermarketCatalogChanges.ApplyAsync(connection, transaction, message.RunId, batch.IdFrom, batch.IdTo, cancellationToken);
        }
        var counts = await connection.QuerySingleAsync<BatchCounts>(new CommandDefinition(RecordItemsSql,
            new { message.RunId, message.BatchNo, minShared = AftermarketResolution.MinSharedVehicles, minPercent = AftermarketResolution.MinSharedVehiclesPercent },
            transaction, commandTimeout: 0, cancellationToken: cancellationToken));

        var run = await AftermarketRunCompletion.CountBatchAsync(connection, transaction, message.RunId, message.BatchNo,
            counts.Parts - batch.PlannedParts, counts.Migrated, counts.Unresolved, failed: 0, worker.Name, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("Processed batch {BatchNo} of aftermarket migration {RunId}: {Migrated} migrated, {Unresolved} unresolved of {Parts}",
            message.BatchNo, message.RunId, counts.Migrated, counts.Unresolved, counts.Parts);
        return new BatchOutcome(true, counts.Parts, counts.Migrated, counts.Unresolved, run.Finished, run.Status);
    }

    /// <summary>
    /// Called once the queue gave up on the batch's message: every AFT part of the range becomes a failed item with
    /// the error, the batch counts as done (failed), and the run ends failed if it was the last batch.
    /// </summary>
    public async Task MarkFailedAsync(MigrationBatchMessage message, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = await connection.QuerySingleOrDefaultAsync<LockedBatch>(new CommandDefinition(
            LockBatchSql, new { message.RunId, message.BatchNo }, transaction, cancellationToken: cancellationToken));
        if (batch is null || batch.Status is BatchStatus.Completed or BatchStatus.Failed || batch.RunStatus == RunStatus.Reverted)
        {
            return;
        }
        var reason = error.Length > 2000 ? error[..2000] : error;
        var failed = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            RecordFailedItemsSql, new { message.RunId, message.BatchNo, batch.IdFrom, batch.IdTo, reason }, transaction, cancellationToken: cancellationToken));
        await AftermarketRunCompletion.CountBatchAsync(connection, transaction, message.RunId, message.BatchNo,
            failed - batch.PlannedParts, migrated: 0, unresolved: 0, failed, worker.Name, cancellationToken, error: reason);
        await transaction.CommitAsync(cancellationToken);
        logger.LogError("Batch {BatchNo} of aftermarket migration {RunId} failed for good: {Error}", message.BatchNo, message.RunId, reason);
    }

    /// <summary>Visible progress and an attempt count, committed before the work (which may take a while or die).</summary>
    private async Task MarkStartedAsync(MigrationBatchMessage message, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(MarkStartedSql, new { message.RunId, message.BatchNo, worker = worker.Name }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record LockedBatch(int IdFrom, int IdTo, int PlannedParts, string Status, bool DryRun, string RunStatus);

    private sealed record BatchCounts(int Parts, int Migrated, int Unresolved);

    private const string MarkStartedSql = """
        WITH batch AS (
            UPDATE aftermarket_migration_batches
            SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), processed_by = @worker
            WHERE run_id = @runId AND batch_no = @batchNo AND status IN ('pending', 'running')
            RETURNING run_id
        )
        UPDATE aftermarket_migration_runs r
        SET status = 'running', started_at = coalesce(r.started_at, now())
        FROM batch
        WHERE r.id = batch.run_id AND r.status = 'planned'
        """;

    private const string LockBatchSql = """
        SELECT b.id_from, b.id_to, b.planned_parts, b.status, r.dry_run, r.status AS run_status
        FROM aftermarket_migration_batches b
        JOIN aftermarket_migration_runs r ON r.id = b.run_id
        WHERE b.run_id = @runId AND b.batch_no = @batchNo
        FOR UPDATE OF b
        """;

    // The aftermarket row is looked up by its unique key: the one the batch created or reused (in a dry run: the one
    // that already exists, if any).
    internal const string RecordItemsSql = $"""
        WITH items AS (
            INSERT INTO aftermarket_migration_items (run_id, batch_no, part_id, aft_part_number, article_number, manufacturer_id,
                                                     oem_part_id, aftermarket_part_id, outcome, resolved_by, reason)
            SELECT @runId, @batchNo, b.id_part, b.aft_part_number, b.article_number, b.manufacturer_id,
                   b.oem_part_id, a.id_aftermarket_parts,
                   CASE WHEN b.oem_part_id IS NOT NULL THEN 'migrated' ELSE 'unresolved' END, b.resolved_by,
                   CASE WHEN b.oem_part_id IS NULL AND b.reason IS NULL THEN {AftermarketResolution.NoOemPartReasonSql} ELSE b.reason END
            FROM aftermarket_batch b
            LEFT JOIN aftermarket_parts a
              ON a.oem_part_id = b.oem_part_id AND a.manufacturer_id = b.manufacturer_id AND a.part_number_norm = b.article_norm
            RETURNING outcome
        )
        SELECT count(*)::int AS parts,
               count(*) FILTER (WHERE outcome = 'migrated')::int AS migrated,
               count(*) FILTER (WHERE outcome = 'unresolved')::int AS unresolved
        FROM items
        """;

    private const string RecordFailedItemsSql = """
        WITH items AS (
            INSERT INTO aftermarket_migration_items (run_id, batch_no, part_id, aft_part_number, outcome, reason)
            SELECT @runId, @batchNo, p.id_part, p.oem_part_number, 'failed', @reason
            FROM parts p
            WHERE p.oem_part_number LIKE 'AFT-%' AND p.id_part BETWEEN @idFrom AND @idTo
            RETURNING 1
        )
        SELECT count(*)::int FROM items
        """;
}
