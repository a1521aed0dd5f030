using Dapper;
using Nexus.Core.Aftermarket;
using Nexus.Core.DataSets;
using Nexus.Tests.Infrastructure;
using Npgsql;
using static Nexus.Tests.Aftermarket.AftermarketQueueSupport;

namespace Nexus.Tests.Aftermarket;

/// <summary>
/// The demo data set (400 AFT parts with the landmarks) in batches of 100 through the real queue: by one host, and by two
/// hosts on the same database and queues of which one is stopped, its batch's database session killed, mid-run.
/// </summary>
public sealed class AftermarketQueueWorkersTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("demo", ds => DataSetGenerator.SeedAsync(ds, DataSetSize.Demo));
        await SnapshotCatalogAsync(_database.DataSource);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task The_listener_processes_every_batch_and_each_aft_part_is_accounted_for_once()
    {
        await using var app = new NexusApp(_database, WorkerSettings(_database, "aft-worker"));
        var admin = await app.CreateClientAsync("ADMIN");
        var aftParts = await AftPartIdsAsync(_database.DataSource);

        var runId = await PlanOverHttpAsync(admin, batchSize: 100);
        var details = await WaitForRunAsync(admin, runId);

        Assert.Equal(RunStatus.Completed, details.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(4, details.GetProperty("batches").GetArrayLength());
        await AssertAccountedForOnceAsync(_database.DataSource, runId, aftParts);
        await AssertCatalogAfterRunAsync(_database.DataSource, runId);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var landmarks = (await connection.QueryAsync<(string Number, string Outcome, string? Article, string? Manufacturer)>("""
            SELECT i.aft_part_number, i.outcome, i.article_number, m.name_manufacture
            FROM aftermarket_migration_items i LEFT JOIN manufacturers m ON m.id_manufacture = i.manufacturer_id
            WHERE i.run_id = @runId AND i.aft_part_number IN ('AFT-10-0058-Airstal', 'AFT-10-0058-MEAT-DORIA', 'AFT-BR-231-Hella-Behr')
            ORDER BY 1
            """, new { runId })).ToList();
        Assert.Equal(new (string, string, string?, string?)[]
        {
            ("AFT-10-0058-Airstal", "migrated", "10-0058", "Airstal"),
            ("AFT-10-0058-MEAT-DORIA", "migrated", "10-0058", "MEAT-DORIA"),
            ("AFT-BR-231-Hella-Behr", "migrated", "BR-231", "Hella-Behr"),
        }, landmarks);
    }

    [Fact]
    public async Task A_worker_stopped_and_killed_mid_run_leaves_the_run_to_the_other_worker_and_nothing_is_counted_twice()
    {
        var prefix = NexusApp.NewStoragePrefix();
        // One batch at a time per host, so that both hold one while the catalog is locked.
        var doomed = new NexusApp(_database, WorkerSettings(_database, "aft-doomed", concurrency: 1), prefix);
        await using var survivor = new NexusApp(_database, WorkerSettings(_database, "aft-survivor", concurrency: 1), prefix);
        survivor.CreateClient().Dispose();
        var admin = await doomed.CreateClientAsync("ADMIN");
        var aftParts = await AftPartIdsAsync(_database.DataSource);

        await using var blocker = await _database.DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync("LOCK TABLE aftermarket_parts IN EXCLUSIVE MODE", transaction: blocking);
        var runId = await PlanOverHttpAsync(admin, batchSize: 100);
        await using var observer = await _database.DataSource.OpenConnectionAsync();
        var doomedBackends = await WaitForBlockedBackendsAsync(observer, "aft-doomed");
        await WaitForBlockedBackendsAsync(observer, "aft-survivor");

        // Stop the doomed host (it fetches no more) and kill the database session of the batch it holds.
        var stopping = doomed.DisposeAsync().AsTask();
        foreach (var pid in doomedBackends)
        {
            await observer.ExecuteAsync("SELECT pg_terminate_backend(@pid)", new { pid });
        }
        await stopping;
        await blocking.RollbackAsync();

        var surviving = await survivor.CreateClientAsync("ADMIN");
        var details = await WaitForRunAsync(surviving, runId);

        Assert.Equal(RunStatus.Completed, details.GetProperty("run").GetProperty("status").GetString());
        Assert.Contains(details.GetProperty("batches").EnumerateArray(), b => b.GetProperty("attempts").GetInt32() >= 2);
        await AssertAccountedForOnceAsync(_database.DataSource, runId, aftParts);
        await AssertCatalogAfterRunAsync(_database.DataSource, runId);
    }

    private static async Task<List<int>> WaitForBlockedBackendsAsync(NpgsqlConnection observer, string applicationName)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var pids = (await observer.QueryAsync<int>("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = @applicationName AND wait_event_type = 'Lock'
                """, new { applicationName })).AsList();
            if (pids.Count > 0)
            {
                return pids;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No batch of {applicationName} reached the locked table.");
    }
}
