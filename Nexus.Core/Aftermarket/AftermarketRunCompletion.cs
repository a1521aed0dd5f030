using Dapper;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Fan-in: each batch, in its own transaction, closes itself and adds 1 to the run's batches_done. The row lock on
/// the run serialises the increments, so exactly one batch sees batches_done reach batches_total and ends the run.
/// </summary>
public static class AftermarketRunCompletion
{
    public sealed record RunProgress(bool Finished, string Status, bool DryRun);

    public static async Task<RunProgress> CountBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, int batchNo,
        int totalCorrection, int migrated, int unresolved, int failed, string worker, CancellationToken cancellationToken, string? error = null)
    {
        var parameters = new { runId, batchNo, totalCorrection, migrated, unresolved, failed, worker, error };
        await connection.ExecuteAsync(new CommandDefinition(CloseBatchSql, parameters, transaction, cancellationToken: cancellationToken));
        var progress = await connection.QuerySingleAsync<RunProgress>(new CommandDefinition(CountBatchSql, parameters, transaction, cancellationToken: cancellationToken));
        if (progress is { Finished: true, Status: RunStatus.Completed, DryRun: false })
        {
            await AftermarketNumberGuard.EnableAsync(connection, transaction, cancellationToken);
        }
        return progress;
    }

    // planned_parts + correction = parts actually found in the range when the batch ran. Completion times are the
    // clock's, not the transaction start's (now()), so that a batch's duration reads off its row. processed_by is set
    // again here: a redelivered copy may have marked the batch started under its own name before this one committed.
    private const string CloseBatchSql = """
        UPDATE aftermarket_migration_batches
        SET status = CASE WHEN @failed > 0 OR @error IS NOT NULL THEN 'failed' ELSE 'completed' END,
            parts = planned_parts + @totalCorrection,
            migrated = @migrated, unresolved = @unresolved, failed = @failed,
            started_at = coalesce(started_at, now()), completed_at = clock_timestamp(), error = @error, processed_by = @worker
        WHERE run_id = @runId AND batch_no = @batchNo
        """;

    private const string CountBatchSql = """
        UPDATE aftermarket_migration_runs r
        SET batches_done = r.batches_done + 1,
            total = r.total + @totalCorrection,
            migrated = r.migrated + @migrated,
            unresolved = r.unresolved + @unresolved,
            failed = r.failed + @failed,
            status = CASE WHEN r.batches_done + 1 < r.batches_total THEN r.status
                          WHEN r.failed + @failed > 0 OR EXISTS (SELECT 1 FROM aftermarket_migration_batches b
                                                                WHERE b.run_id = r.id AND b.status = 'failed') THEN 'failed'
                          ELSE 'completed' END,
            completed_at = CASE WHEN r.batches_done + 1 = r.batches_total THEN clock_timestamp() END
        WHERE r.id = @runId
        RETURNING r.batches_done = r.batches_total AS finished, r.status, r.dry_run
        """;
}
