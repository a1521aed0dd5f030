using Dapper;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>What the admin pages read: runs, their batches, and the parts a run could not migrate.</summary>
public sealed class AftermarketMigrationQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<MigrationRun>> ListRunsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MigrationRun>(new CommandDefinition(ListRunsSql, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<MigrationRunDetails?> GetRunAsync(long runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var run = await connection.QuerySingleOrDefaultAsync<MigrationRun>(new CommandDefinition(RunSql, new { runId }, cancellationToken: cancellationToken));
        if (run is null)
        {
            return null;
        }
        var batches = await connection.QueryAsync<MigrationBatch>(new CommandDefinition(BatchesSql, new { runId }, cancellationToken: cancellationToken));
        return new MigrationRunDetails(run, batches.AsList());
    }

    /// <summary>Unresolved and failed parts of a run, streamed in part id order.</summary>
    public async IAsyncEnumerable<MigrationReportRow> ReportAsync(long runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<MigrationReportRow>(ReportSql, new { runId });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    private const string RunColumns = """
        id, status, dry_run, batch_size, total, migrated, unresolved, failed, batches_total, batches_done,
        created_by, created_at, started_at, completed_at, reverted_at
        """;

    private const string ListRunsSql = $"""
        SELECT {RunColumns} FROM aftermarket_migration_runs ORDER BY id DESC LIMIT @limit
        """;

    private const string RunSql = $"""
        SELECT {RunColumns} FROM aftermarket_migration_runs WHERE id = @runId
        """;

    private const string BatchesSql = """
        SELECT batch_no, id_from, id_to, planned_parts, status, attempts, parts, migrated, unresolved, failed,
               started_at, completed_at, error, processed_by
        FROM aftermarket_migration_batches
        WHERE run_id = @runId
        ORDER BY batch_no
        """;

    private const string ReportSql = """
        SELECT i.part_id, i.aft_part_number, i.outcome, i.article_number, m.name_manufacture AS manufacturer, i.reason
        FROM aftermarket_migration_items i
        LEFT JOIN manufacturers m ON m.id_manufacture = i.manufacturer_id
        WHERE i.run_id = @runId AND i.outcome IN ('unresolved', 'failed')
        ORDER BY i.part_id
        """;
}
