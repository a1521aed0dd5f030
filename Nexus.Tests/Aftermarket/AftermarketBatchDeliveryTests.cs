using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Core.Aftermarket;
using Nexus.Core.Workers;
using Npgsql;

namespace Nexus.Tests.Aftermarket;

/// <summary>At-least-once delivery: duplicates, concurrent deliveries, a worker killed mid-batch, a batch that keeps failing.</summary>
public sealed class AftermarketBatchDeliveryTests : IAsyncLifetime
{
    private AftermarketHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AftermarketHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private NpgsqlDataSource DataSource => _harness.Database.DataSource;

    [Fact]
    public async Task A_batch_delivered_twice_changes_nothing_the_second_time()
    {
        var run = await _harness.Planner.PlanAsync(false, 3, null, CancellationToken.None);
        var first = await _harness.Worker.ProcessAsync(new MigrationBatchMessage(run.Id, 1), CancellationToken.None);
        var catalog = await AftermarketCatalog.ChecksumsAsync(DataSource);
        var state = await _harness.RunStateAsync(run.Id);

        var second = await _harness.Worker.ProcessAsync(new MigrationBatchMessage(run.Id, 1), CancellationToken.None);

        Assert.True(first.Processed);
        Assert.False(second.Processed);
        Assert.Equal(catalog, await AftermarketCatalog.ChecksumsAsync(DataSource));
        Assert.Equal(state, await _harness.RunStateAsync(run.Id));
        Assert.Equal(1, state.BatchesDone);
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_batch_to_two_workers_process_it_once_and_name_the_one_that_did()
    {
        var run = await _harness.Planner.PlanAsync(false, 3, null, CancellationToken.None);
        var message = new MigrationBatchMessage(run.Id, 1);
        var other = WorkerIdentity.ForThisProcess("aftermarket-other");
        var otherWorker = new AftermarketBatchWorker(DataSource, other, NullLogger<AftermarketBatchWorker>.Instance);

        var outcomes = await Task.WhenAll(
            _harness.Worker.ProcessAsync(message, CancellationToken.None),
            otherWorker.ProcessAsync(message, CancellationToken.None));

        Assert.Single(outcomes, o => o.Processed);
        var state = await _harness.RunStateAsync(run.Id);
        Assert.Equal((1, 3), (state.BatchesDone, state.Migrated));
        var batch = (await _harness.Queries.GetRunAsync(run.Id, CancellationToken.None))!.Batches[0];
        Assert.Equal(outcomes[0].Processed ? _harness.WorkerIdentity.Name : other.Name, batch.ProcessedBy);
    }

    [Fact]
    public async Task A_worker_killed_mid_batch_leaves_nothing_behind_and_the_redelivery_completes_the_run()
    {
        var before = await AftermarketCatalog.ChecksumsAsync(DataSource);
        var run = await _harness.Planner.PlanAsync(false, 3, null, CancellationToken.None);

        // Hold the worker at its first catalog write (aftermarket_parts), after it has parsed and resolved the batch.
        await using var blocker = await DataSource.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await blocker.ExecuteAsync("LOCK TABLE aftermarket_parts IN EXCLUSIVE MODE", transaction: blocking);
        var doomed = _harness.Worker.ProcessAsync(new MigrationBatchMessage(run.Id, 1), CancellationToken.None);
        // Observed from outside the blocking transaction: pg_stat_activity is a snapshot per transaction.
        await using (var observer = await DataSource.OpenConnectionAsync())
        {
            var pid = await WaitForBlockedBackendAsync(observer);
            Assert.True(await observer.ExecuteScalarAsync<bool>("SELECT pg_terminate_backend(@pid)", new { pid }));
        }
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => doomed);
        await blocking.RollbackAsync();

        Assert.Equal(before, await AftermarketCatalog.ChecksumsAsync(DataSource));
        var details = await _harness.Queries.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal((BatchStatus.Running, 1), (details!.Batches[0].Status, details.Batches[0].Attempts));
        Assert.Equal(0, details.Run.BatchesDone);

        for (var batchNo = 1; batchNo <= run.BatchesTotal; batchNo++)
        {
            await _harness.Worker.ProcessAsync(new MigrationBatchMessage(run.Id, batchNo), CancellationToken.None);
        }
        var done = await _harness.RunStateAsync(run.Id);
        Assert.Equal((RunStatus.Completed, 10, 5, 5, 0), (done.Status, done.Total, done.Migrated, done.Unresolved, done.Failed));
        Assert.Equal(AftermarketCatalog.LinksAfterMigration.Order(), await _harness.Catalog.LinksAsync(DataSource));
        Assert.Equal(2, (await _harness.Queries.GetRunAsync(run.Id, CancellationToken.None))!.Batches[0].Attempts);
    }

    [Fact]
    public async Task A_poison_batch_fails_the_run_visibly_and_a_retry_completes_it()
    {
        await using (var connection = await DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                CREATE FUNCTION refuse_k9() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.part_number = 'K9' THEN RAISE EXCEPTION 'K9 is cursed'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_k9 BEFORE INSERT ON aftermarket_parts FOR EACH ROW EXECUTE FUNCTION refuse_k9();
                """);
        }
        var run = await _harness.Planner.PlanAsync(false, 3, null, CancellationToken.None);
        var poisoned = new MigrationBatchMessage(run.Id, 2); // A4 (K9), A5, A7; the others: A1-A3 | A8, A10, A11 | A6
        foreach (var batchNo in new[] { 1, 3, 4 })
        {
            await _harness.Worker.ProcessAsync(new MigrationBatchMessage(run.Id, batchNo), CancellationToken.None);
        }
        var error = await Assert.ThrowsAsync<PostgresException>(() => _harness.Worker.ProcessAsync(poisoned, CancellationToken.None));
        await _harness.Worker.MarkFailedAsync(poisoned, error.MessageText, CancellationToken.None);
        // The poison callback may also run for a message that is already settled: nothing changes.
        await _harness.Worker.MarkFailedAsync(poisoned, "again", CancellationToken.None);

        var failed = await _harness.Queries.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal((RunStatus.Failed, 10, 4, 3, 3), (failed!.Run.Status, failed.Run.Total, failed.Run.Migrated, failed.Run.Unresolved, failed.Run.Failed));
        Assert.Equal((BatchStatus.Failed, "K9 is cursed"), (failed.Batches[1].Status, failed.Batches[1].Error));
        var report = await _harness.Queries.ReportAsync(run.Id, CancellationToken.None).ToListAsync();
        Assert.Equal(new[] { "A4", "A5", "A7" }.Select(k => (_harness.Catalog[k], "failed", "K9 is cursed")),
            report.Where(r => r.Outcome == "failed").Select(r => (r.PartId, r.Outcome, r.Reason!)));
        await using (var connection = await DataSource.OpenConnectionAsync())
        {
            Assert.False(await AftermarketNumberGuard.IsEnabledAsync(connection, null, CancellationToken.None));
            await connection.ExecuteAsync("DROP TRIGGER refuse_k9 ON aftermarket_parts");
        }

        var queuedBefore = await _harness.QueuedMessagesAsync();
        Assert.Equal(1, await _harness.Planner.RetryAsync(run.Id, null, CancellationToken.None));
        Assert.Equal(queuedBefore + 1, await _harness.QueuedMessagesAsync());
        var reopened = await _harness.RunStateAsync(run.Id);
        Assert.Equal((RunStatus.Running, 3, 0, 7), (reopened.Status, reopened.BatchesDone, reopened.Failed, reopened.Migrated + reopened.Unresolved));
        await Assert.ThrowsAsync<AftermarketMigrationConflict>(() => _harness.Planner.RetryAsync(run.Id, 2, CancellationToken.None));

        await _harness.Worker.ProcessAsync(poisoned, CancellationToken.None);
        var done = await _harness.RunStateAsync(run.Id);
        Assert.Equal((RunStatus.Completed, 10, 5, 5, 0), (done.Status, done.Total, done.Migrated, done.Unresolved, done.Failed));
        Assert.Equal(10, (await _harness.ItemsAsync(run.Id)).Count);
        await using (var connection = await DataSource.OpenConnectionAsync())
        {
            Assert.True(await AftermarketNumberGuard.IsEnabledAsync(connection, null, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Resume_sends_the_unfinished_batches_again()
    {
        var run = await _harness.Planner.PlanAsync(true, 3, null, CancellationToken.None);
        await _harness.Worker.ProcessAsync(new MigrationBatchMessage(run.Id, 1), CancellationToken.None);

        Assert.Equal(3, await _harness.Planner.ResumeAsync(run.Id, CancellationToken.None));
        Assert.Equal(4 + 3, await _harness.QueuedMessagesAsync());
    }

    private static async Task<int> WaitForBlockedBackendAsync(NpgsqlConnection observer)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var pid = await observer.ExecuteScalarAsync<int?>("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                LIMIT 1
                """);
            if (pid is { } blocked)
            {
                return blocked;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("The worker never reached the locked table.");
    }
}
