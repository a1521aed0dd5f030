using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Nexus.Core.Aftermarket;
using Nexus.Tests.Infrastructure;
using Npgsql;

namespace Nexus.Tests.Aftermarket;

/// <summary>Runs through the real host: its standalone queue listener takes the batch messages from Azurite.</summary>
public static class AftermarketQueueSupport
{
    /// <summary>Queue settings that make retries immediate and a poison message quick (2 attempts).</summary>
    public static Dictionary<string, string?> WorkerSettings(TestDatabase database, string applicationName, int concurrency = 16) => new()
    {
        ["ConnectionStrings:Postgres"] = $"{database.ConnectionString};Application Name={applicationName}",
        ["Queues:MaxDequeueCount"] = "2",
        ["Queues:VisibilityTimeout"] = "00:00:00",
        ["Queues:MaxPollingInterval"] = "00:00:00.200",
        ["Queues:LeaseDuration"] = "00:00:05",
        ["Queues:RenewInterval"] = "00:00:01",
        ["Queues:BatchSize"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Queues:NewBatchThreshold"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<long> PlanOverHttpAsync(HttpClient admin, int batchSize, bool dryRun = false)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/migrations/aftermarket", new { dry_run = dryRun, batch_size = batchSize });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Polls GET /api/admin/migrations/{id} until the run is completed or failed.</summary>
    public static async Task<JsonElement> WaitForRunAsync(HttpClient admin, long runId, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var details = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/migrations/{runId}", deadline.Token);
            if (details.GetProperty("run").GetProperty("status").GetString() is RunStatus.Completed or RunStatus.Failed)
            {
                return details;
            }
            await Task.Delay(100, deadline.Token);
        }
    }

    /// <summary>Every AFT part that existed before the run is one item of the run, exactly once, and the counters agree.</summary>
    public static async Task AssertAccountedForOnceAsync(NpgsqlDataSource dataSource, long runId, IReadOnlyCollection<int> aftPartIds)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var items = (await connection.QueryAsync<(int PartId, string Outcome)>(
            "SELECT part_id, outcome FROM aftermarket_migration_items WHERE run_id = @runId", new { runId })).ToList();
        Assert.Equal(aftPartIds.Order(), items.Select(i => i.PartId).Order());
        var run = await connection.QuerySingleAsync<(int Total, int Migrated, int Unresolved, int Failed)>(
            "SELECT total, migrated, unresolved, failed FROM aftermarket_migration_runs WHERE id = @runId", new { runId });
        Assert.Equal(aftPartIds.Count, run.Total);
        Assert.Equal(run.Total, run.Migrated + run.Unresolved + run.Failed);
        Assert.Equal((run.Migrated, run.Unresolved, run.Failed),
            (items.Count(i => i.Outcome == ItemOutcome.Migrated), items.Count(i => i.Outcome == ItemOutcome.Unresolved), items.Count(i => i.Outcome == ItemOutcome.Failed)));
    }

    public static async Task<List<int>> AftPartIdsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<int>("SELECT id_part FROM parts WHERE oem_part_number LIKE 'AFT-%'")).AsList();
    }

    /// <summary>Keeps a copy of vehicle_parts, to compute the link set a run must leave behind.</summary>
    public static async Task SnapshotLinksAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE test_links_before AS SELECT vehicle_id, part_id FROM vehicle_parts");
    }

    /// <summary>
    /// After a real run: every link of a migrated AFT part now names its OEM part, every other link is unchanged,
    /// nothing else was added. Also: each migrated item points to an aftermarket row of its OEM part and manufacturer,
    /// and the run created no aftermarket row twice.
    /// </summary>
    public static async Task AssertCatalogAfterRunAsync(NpgsqlDataSource dataSource, long runId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var differences = await connection.ExecuteScalarAsync<long>("""
            WITH expected AS (
                SELECT DISTINCT l.vehicle_id, coalesce(i.oem_part_id, l.part_id) AS part_id
                FROM test_links_before l
                LEFT JOIN aftermarket_migration_items i ON i.run_id = @runId AND i.part_id = l.part_id AND i.outcome = 'migrated'
            )
            SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT vehicle_id, part_id FROM vehicle_parts) missing)
                 + (SELECT count(*) FROM (SELECT vehicle_id, part_id FROM vehicle_parts EXCEPT SELECT * FROM expected) extra)
            """, new { runId });
        Assert.Equal(0, differences);

        var wrongRows = await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM aftermarket_migration_items i
            LEFT JOIN aftermarket_parts a ON a.id_aftermarket_parts = i.aftermarket_part_id
            WHERE i.run_id = @runId AND i.outcome = 'migrated'
              AND (a.id_aftermarket_parts IS NULL OR a.oem_part_id <> i.oem_part_id OR a.manufacturer_id <> i.manufacturer_id
                   OR a.part_number_norm <> normalize_part_number(i.article_number))
            """, new { runId });
        Assert.Equal(0, wrongRows);
        var (created, distinctTargets) = await connection.QuerySingleAsync<(long, long)>("""
            SELECT (SELECT count(*) FROM aftermarket_migration_created_aftermarket_parts WHERE run_id = @runId),
                   (SELECT count(DISTINCT i.aftermarket_part_id) FROM aftermarket_migration_items i
                    WHERE i.run_id = @runId AND i.outcome = 'migrated'
                      AND NOT EXISTS (SELECT 1 FROM test_aftermarket_before b WHERE b.id_aftermarket_parts = i.aftermarket_part_id))
            """, new { runId });
        Assert.Equal(distinctTargets, created);
        var migratedLeft = await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM parts p JOIN aftermarket_migration_items i ON i.part_id = p.id_part
            WHERE i.run_id = @runId AND i.outcome = 'migrated'
            """, new { runId });
        Assert.Equal(0, migratedLeft);
    }

    public static async Task SnapshotCatalogAsync(NpgsqlDataSource dataSource)
    {
        await SnapshotLinksAsync(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE TABLE test_aftermarket_before AS SELECT id_aftermarket_parts FROM aftermarket_parts");
    }
}
