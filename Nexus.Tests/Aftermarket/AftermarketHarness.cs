using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Core.Aftermarket;
using Nexus.Core.Storage;
using Nexus.Core.Workers;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Aftermarket;

/// <summary>
/// The migration's Core services on a private database and a private queue name prefix, without a host:
/// no listener consumes the queue, so a test decides which batch runs when (and may run it twice, or kill it).
/// </summary>
public sealed class AftermarketHarness : IAsyncDisposable
{
    private AftermarketHarness(TestDatabase database, AftermarketCatalog catalog, NexusStorage storage)
    {
        Database = database;
        Catalog = catalog;
        Storage = storage;
        Queue = new AftermarketMigrationQueue(storage);
        Planner = new AftermarketMigrationPlanner(database.DataSource, Queue, NullLogger<AftermarketMigrationPlanner>.Instance);
        Worker = new AftermarketBatchWorker(database.DataSource, WorkerIdentity, NullLogger<AftermarketBatchWorker>.Instance);
        Queries = new AftermarketMigrationQueries(database.DataSource);
        Revert = new AftermarketRevert(database.DataSource, NullLogger<AftermarketRevert>.Instance);
    }

    public TestDatabase Database { get; }
    public AftermarketCatalog Catalog { get; }
    public NexusStorage Storage { get; }
    public AftermarketMigrationQueue Queue { get; }
    public AftermarketMigrationPlanner Planner { get; }
    public WorkerIdentity WorkerIdentity { get; } = WorkerIdentity.ForThisProcess("aftermarket-harness");
    public AftermarketBatchWorker Worker { get; }
    public AftermarketMigrationQueries Queries { get; }
    public AftermarketRevert Revert { get; }

    public static async Task<AftermarketHarness> CreateAsync()
    {
        // As the host sets it (NexusServices): snake_case columns onto PascalCase members.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var database = await TestDatabase.CreateAsync();
        var catalog = await AftermarketCatalog.CreateAsync(database.DataSource);
        var storage = new NexusStorage(Options.Create(new StorageOptions
        {
            ConnectionString = TestEnvironment.Storage,
            NamePrefix = $"a{Guid.NewGuid():N}"[..9] + "-",
        }));
        await storage.Queue(NexusStorage.AftermarketMigrationQueue).CreateIfNotExistsAsync();
        return new AftermarketHarness(database, catalog, storage);
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.Queue(NexusStorage.AftermarketMigrationQueue).DeleteIfExistsAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Plans a run and processes its batches in the given order (default: ascending).</summary>
    public async Task<MigrationRun> RunAsync(bool dryRun = false, int batchSize = 3, bool reverse = false)
    {
        var run = await Planner.PlanAsync(dryRun, batchSize, null, CancellationToken.None);
        var batches = Enumerable.Range(1, run.BatchesTotal);
        foreach (var batchNo in reverse ? batches.Reverse() : batches)
        {
            await Worker.ProcessAsync(new MigrationBatchMessage(run.Id, batchNo), CancellationToken.None);
        }
        return await RunStateAsync(run.Id);
    }

    public async Task<MigrationRun> RunStateAsync(long runId) => (await Queries.GetRunAsync(runId, CancellationToken.None))!.Run;

    public async Task<Dictionary<string, Item>> ItemsAsync(long runId)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        var items = await connection.QueryAsync<Item>("""
            SELECT i.part_id, i.outcome, i.article_number, m.name_manufacture AS manufacturer, i.oem_part_id, i.aftermarket_part_id, i.resolved_by, i.reason
            FROM aftermarket_migration_items i LEFT JOIN manufacturers m ON m.id_manufacture = i.manufacturer_id
            WHERE i.run_id = @runId
            """, new { runId });
        var keyById = Catalog.Ids.Where(kv => kv.Key.StartsWith('A')).ToDictionary(kv => kv.Value, kv => kv.Key);
        return items.ToDictionary(i => keyById[i.PartId]);
    }

    public async Task<int> QueuedMessagesAsync()
    {
        var properties = await Storage.Queue(NexusStorage.AftermarketMigrationQueue).GetPropertiesAsync();
        return properties.Value.ApproximateMessagesCount;
    }

    public sealed record Item(int PartId, string Outcome, string? ArticleNumber, string? Manufacturer, int? OemPartId, int? AftermarketPartId, string? ResolvedBy, string? Reason);
}
