using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Undoes a finished real run in one transaction from its archive: AFT parts, their vehicle links and cross references
/// and the relinked inventory come back, the links it added and the aftermarket_parts rows it created go.
/// Only the latest real run that is still in effect can be reverted (a later run may build on it).
/// </summary>
public sealed class AftermarketRevert(NpgsqlDataSource dataSource, ILogger<AftermarketRevert> logger)
{
    public async Task<MigrationRun> RevertAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The table lock keeps new runs from starting while the archive is being put back.
        await connection.ExecuteAsync(new CommandDefinition(LockRunsSql, transaction: transaction, cancellationToken: cancellationToken));
        var state = await connection.QuerySingleOrDefaultAsync<RevertState>(new CommandDefinition(StateSql, new { runId }, transaction, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"Aftermarket migration run {runId} does not exist.");
        if (state.DryRun)
        {
            throw new AftermarketMigrationConflict($"Run {runId} is a dry run; it changed nothing in the catalog.");
        }
        if (state.Status is not (RunStatus.Completed or RunStatus.Failed))
        {
            throw new AftermarketMigrationConflict($"Run {runId} is {state.Status}; only a completed or failed run can be reverted.");
        }
        if (state.LaterRuns > 0)
        {
            throw new AftermarketMigrationConflict($"Run {runId} has later runs still in effect (or active); revert those first.");
        }

        await AftermarketNumberGuard.DisableAsync(connection, transaction, cancellationToken);
        await Execute(connection, transaction, RestoreCatalogSql, runId, cancellationToken);
        await Execute(connection, transaction, RestoreInventorySql, runId, cancellationToken);
        try
        {
            await Execute(connection, transaction, DeleteCreatedAftermarketPartsSql, runId, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            throw new AftermarketMigrationConflict(
                $"Aftermarket parts created by run {runId} are now referenced by {e.TableName}; remove those rows before reverting.");
        }
        var run = await connection.QuerySingleAsync<MigrationRun>(new CommandDefinition(MarkRevertedSql, new { runId }, transaction, cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(OtherCompletedRunSql, new { runId }, transaction, cancellationToken: cancellationToken)))
        {
            await AftermarketNumberGuard.EnableAsync(connection, transaction, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Reverted aftermarket migration {RunId}: {Migrated} parts restored", runId, run.Migrated);
        return run;
    }

    private static Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long runId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, new { runId }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    private sealed record RevertState(string Status, bool DryRun, long LaterRuns);

    private const string LockRunsSql = "LOCK TABLE aftermarket_migration_runs IN SHARE ROW EXCLUSIVE MODE";

    private const string StateSql = """
        SELECT r.status, r.dry_run,
               (SELECT count(*) FROM aftermarket_migration_runs later
                WHERE later.id <> r.id
                  AND (later.status IN ('planned', 'running')
                       OR (later.id > r.id AND NOT later.dry_run AND later.status <> 'reverted'))) AS later_runs
        FROM aftermarket_migration_runs r
        WHERE r.id = @runId
        """;

    private const string RestoreCatalogSql = """
        INSERT INTO parts (id_part, oem_part_number, name_part, description, id_category, id_manufacture)
        SELECT id_part, oem_part_number, name_part, description, id_category, id_manufacture
        FROM aftermarket_migration_archived_parts WHERE run_id = @runId;

        DELETE FROM vehicle_parts vp
        USING aftermarket_migration_added_vehicle_parts added
        WHERE added.run_id = @runId AND vp.vehicle_id = added.vehicle_id AND vp.part_id = added.part_id;

        INSERT INTO vehicle_parts (vehicle_id, part_id)
        SELECT vehicle_id, part_id FROM aftermarket_migration_archived_vehicle_parts WHERE run_id = @runId;

        UPDATE part_cross_references x
        SET part_id = moved.old_part_id
        FROM aftermarket_migration_moved_cross_references moved
        WHERE moved.run_id = @runId AND x.id_cross_reference = moved.id_cross_reference;

        DELETE FROM aftermarket_migration_archived_parts WHERE run_id = @runId;
        DELETE FROM aftermarket_migration_added_vehicle_parts WHERE run_id = @runId;
        DELETE FROM aftermarket_migration_archived_vehicle_parts WHERE run_id = @runId;
        DELETE FROM aftermarket_migration_moved_cross_references WHERE run_id = @runId
        """;

    // Rows are put back whole, as they were before the run touched them (same ids), but without their upload source:
    // an upload since the run may have given that source to another row, and a source is held by one row at a time.
    private const string RestoreInventorySql = """
        DELETE FROM warehouse_inventory w
        USING aftermarket_migration_archived_inventory a
        WHERE a.run_id = @runId AND w.id_inventory = a.id_inventory;

        INSERT INTO warehouse_inventory
        SELECT (jsonb_populate_record(NULL::warehouse_inventory, a.row_data - 'source_part_number_norm' - 'source_brand')).*
        FROM aftermarket_migration_archived_inventory a
        WHERE a.run_id = @runId;

        DELETE FROM aftermarket_migration_archived_inventory WHERE run_id = @runId
        """;

    private const string DeleteCreatedAftermarketPartsSql = """
        DELETE FROM aftermarket_parts a
        USING aftermarket_migration_created_aftermarket_parts created
        WHERE created.run_id = @runId AND a.id_aftermarket_parts = created.aftermarket_part_id;

        DELETE FROM aftermarket_migration_created_aftermarket_parts WHERE run_id = @runId
        """;

    private const string MarkRevertedSql = """
        UPDATE aftermarket_migration_runs
        SET status = 'reverted', reverted_at = now()
        WHERE id = @runId
        RETURNING id, status, dry_run, batch_size, total, migrated, unresolved, failed, batches_total, batches_done,
                  created_by, created_at, started_at, completed_at, reverted_at
        """;

    private const string OtherCompletedRunSql = """
        SELECT EXISTS (SELECT 1 FROM aftermarket_migration_runs
                       WHERE id <> @runId AND status = 'completed' AND NOT dry_run)
        """;
}
