using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Starts runs and (re)sends their batch messages. The run and its batches are committed first and the messages
/// sent only afterwards (outbox-like): if sending fails midway, <see cref="ResumeAsync"/> sends the pending batches again,
/// and a duplicate message is harmless because batches are idempotent.
/// </summary>
public sealed class AftermarketMigrationPlanner(NpgsqlDataSource dataSource, AftermarketMigrationQueue queue, ILogger<AftermarketMigrationPlanner> logger)
{
    public const int DefaultBatchSize = 10_000;
    public const int MinBatchSize = 100;
    public const int MaxBatchSize = 50_000;

    public async Task<MigrationRun> PlanAsync(bool dryRun, int batchSize, int? createdBy, CancellationToken cancellationToken)
    {
        // The HTTP endpoint keeps callers within MinBatchSize..MaxBatchSize; tests use tiny batches.
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);

        MigrationRun run;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            long runId;
            try
            {
                runId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    CreateRunSql, new { dryRun, batchSize, createdBy }, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "aftermarket_migration_runs_one_active")
            {
                throw new AftermarketMigrationConflict("Another aftermarket migration run is planned or running; wait for it to finish.");
            }
            run = await connection.QuerySingleAsync<MigrationRun>(new CommandDefinition(
                PlanBatchesSql, new { runId, batchSize }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            if (run.BatchesTotal > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(AftermarketResolution.SessionSettingsSql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    SnapshotOemVehiclePartsSql, new { runId }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            }
            else if (!run.DryRun)
            {
                await AftermarketNumberGuard.EnableAsync(connection, transaction, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }

        logger.LogInformation("Planned aftermarket migration {RunId}: {Total} AFT parts in {Batches} batches (dry run {DryRun})",
            run.Id, run.Total, run.BatchesTotal, run.DryRun);
        await SendAsync(run.Id, Enumerable.Range(1, run.BatchesTotal), cancellationToken);
        return run;
    }

    /// <summary>Sends the messages of every batch of an active run that has not finished yet.</summary>
    public async Task<int> ResumeAsync(long runId, CancellationToken cancellationToken)
    {
        List<int> pending;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(RunStatusSql, new { runId }, cancellationToken: cancellationToken))
                ?? throw new KeyNotFoundException($"Aftermarket migration run {runId} does not exist.");
            if (status is not (RunStatus.Planned or RunStatus.Running))
            {
                throw new AftermarketMigrationConflict($"Run {runId} is {status}; only a planned or running run can be resumed.");
            }
            pending = (await connection.QueryAsync<int>(new CommandDefinition(PendingBatchesSql, new { runId }, cancellationToken: cancellationToken))).AsList();
        }
        await SendAsync(runId, pending, cancellationToken);
        return pending.Count;
    }

    /// <summary>Puts failed batches (all, or the one given) back to pending, reopens the run and sends them again.</summary>
    public async Task<int> RetryAsync(long runId, int? batchNo, CancellationToken cancellationToken)
    {
        int[] retried;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(LockRunSql, new { runId }, transaction, cancellationToken: cancellationToken))
                ?? throw new KeyNotFoundException($"Aftermarket migration run {runId} does not exist.");
            if (status is not (RunStatus.Running or RunStatus.Failed))
            {
                throw new AftermarketMigrationConflict($"Run {runId} is {status}; only failed batches of a running or failed run can be retried.");
            }
            var failed = (await connection.QueryAsync<int>(new CommandDefinition(LockFailedBatchesSql, new { runId }, transaction, cancellationToken: cancellationToken))).AsList();
            retried = batchNo is { } only ? failed.Where(no => no == only).ToArray() : failed.ToArray();
            if (retried.Length == 0)
            {
                throw new AftermarketMigrationConflict(batchNo is null
                    ? $"Run {runId} has no failed batches."
                    : $"Batch {batchNo} of run {runId} has not failed.");
            }
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(ReopenBatchesSql, new { runId, batchNos = retried }, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "aftermarket_migration_runs_one_active")
            {
                throw new AftermarketMigrationConflict("Another aftermarket migration run is planned or running; retry when it has finished.");
            }
            await transaction.CommitAsync(cancellationToken);
        }
        logger.LogInformation("Retrying {Count} failed batches of aftermarket migration {RunId}", retried.Length, runId);
        await SendAsync(runId, retried, cancellationToken);
        return retried.Length;
    }

    private async Task SendAsync(long runId, IEnumerable<int> batchNos, CancellationToken cancellationToken)
    {
        try
        {
            await queue.EnqueueAsync(runId, batchNos, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AftermarketEnqueueFailed(runId, e);
        }
    }

    private const string CreateRunSql = """
        INSERT INTO aftermarket_migration_runs (dry_run, batch_size, created_by)
        VALUES (@dryRun, @batchSize, @createdBy)
        RETURNING id
        """;

    // Ranges are contiguous from the first to the last AFT id, so together they cover every id in between.
    private const string PlanBatchesSql = """
        INSERT INTO aftermarket_migration_batches (run_id, batch_no, id_from, id_to, planned_parts)
        SELECT @runId, batch_no,
               coalesce(lag(max(id_part)) OVER (ORDER BY batch_no) + 1, min(id_part)), max(id_part), count(*)
        FROM (
            SELECT id_part, ((row_number() OVER (ORDER BY id_part) - 1) / @batchSize + 1)::int AS batch_no
            FROM parts
            WHERE oem_part_number LIKE 'AFT-%'
        ) numbered
        GROUP BY batch_no;

        UPDATE aftermarket_migration_runs r
        SET batches_total = planned.batches,
            total = planned.parts,
            status = CASE WHEN planned.batches = 0 THEN 'completed' ELSE r.status END,
            completed_at = CASE WHEN planned.batches = 0 THEN now() END
        FROM (SELECT count(*)::int AS batches, coalesce(sum(planned_parts), 0)::int AS parts
              FROM aftermarket_migration_batches WHERE run_id = @runId) planned
        WHERE r.id = @runId
        RETURNING r.*
        """;

    // NOT IN over NOT NULL columns: one hashed lookup per link (a NOT EXISTS was planned as a scan per link while the table is empty).
    internal const string SnapshotOemVehiclePartsSql = """
        INSERT INTO aftermarket_migration_oem_vehicle_parts (run_id, vehicle_id, id_category, part_ids)
        SELECT @runId, vp.vehicle_id, p.id_category, array_agg(vp.part_id ORDER BY vp.part_id)
        FROM vehicle_parts vp
        JOIN parts p ON p.id_part = vp.part_id
        WHERE p.oem_part_number NOT LIKE 'AFT-%' AND p.id_category IS NOT NULL
          AND (vp.vehicle_id, vp.part_id) NOT IN (SELECT added.vehicle_id, added.part_id FROM aftermarket_migration_added_vehicle_parts added)
        GROUP BY vp.vehicle_id, p.id_category
        """;

    private const string RunStatusSql = "SELECT status FROM aftermarket_migration_runs WHERE id = @runId";

    private const string LockRunSql = "SELECT status FROM aftermarket_migration_runs WHERE id = @runId FOR UPDATE";

    private const string PendingBatchesSql = """
        SELECT batch_no FROM aftermarket_migration_batches
        WHERE run_id = @runId AND status IN ('pending', 'running')
        ORDER BY batch_no
        """;

    private const string LockFailedBatchesSql = """
        SELECT batch_no FROM aftermarket_migration_batches
        WHERE run_id = @runId AND status = 'failed'
        ORDER BY batch_no
        FOR UPDATE
        """;

    // Undo what the failed batches added to the run's counters, then let them run again.
    private const string ReopenBatchesSql = """
        UPDATE aftermarket_migration_runs r
        SET status = 'running', completed_at = NULL,
            batches_done = r.batches_done - reopened.batches,
            failed = r.failed - reopened.failed,
            total = r.total - reopened.correction
        FROM (SELECT count(*)::int AS batches, sum(failed)::int AS failed, sum(parts - planned_parts)::int AS correction
              FROM aftermarket_migration_batches
              WHERE run_id = @runId AND batch_no = ANY(@batchNos)) reopened
        WHERE r.id = @runId;

        DELETE FROM aftermarket_migration_items WHERE run_id = @runId AND batch_no = ANY(@batchNos);

        UPDATE aftermarket_migration_batches
        SET status = 'pending', parts = NULL, migrated = 0, unresolved = 0, failed = 0, completed_at = NULL, error = NULL
        WHERE run_id = @runId AND batch_no = ANY(@batchNos)
        """;
}

/// <summary>The run was recorded but its messages could not all be sent; POST .../resume sends them.</summary>
public sealed class AftermarketEnqueueFailed(long runId, Exception inner)
    : Exception($"Run {runId} was planned but its batch messages could not all be queued.", inner)
{
    public long RunId { get; } = runId;
}
