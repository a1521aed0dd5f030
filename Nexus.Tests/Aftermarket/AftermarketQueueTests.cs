using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Aftermarket;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;
using static Nexus.Tests.Aftermarket.AftermarketQueueSupport;

namespace Nexus.Tests.Aftermarket;

/// <summary>The migration on the real host: planned over HTTP, its batches taken from Azurite by the host's own queue listener.</summary>
public sealed class AftermarketQueueTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private AftermarketCatalog _catalog = null!;
    private NexusApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _catalog = await AftermarketCatalog.CreateAsync(_database.DataSource);
        _app = new NexusApp(_database, WorkerSettings(_database, "aft-queue-tests"));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_run_planned_over_http_is_processed_by_the_listener_and_moves_bodega_stock_to_the_aftermarket_part()
    {
        var admin = await _app.CreateClientAsync("ADMIN");
        var bodega = await _app.CreateUserAsync("BODEGA");
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            // A1 is migrated onto the existing aftermarket row (O2, PARTQUIP, AC-191); A5 stays unresolved.
            await connection.ExecuteAsync("""
                INSERT INTO warehouse_inventory (user_id, part_id, price, stock_quantity, warehouse_location)
                VALUES (@user, @a1, 120, 4, 'GDL'), (@user, @a5, 80, 2, 'GDL')
                """, new { user = bodega.Id, a1 = _catalog["A1"], a5 = _catalog["A5"] });
        }
        var aftParts = await AftPartIdsAsync(_database.DataSource);
        await SnapshotCatalogAsync(_database.DataSource);
        var anonymous = _app.CreateClient();
        var before = Assert.Single((await anonymous.GetFromJsonAsync<JsonElement>($"/api/parts/{_catalog["O2"]}/aftermarket")).EnumerateArray());
        Assert.False(before.GetProperty("in_stock").GetBoolean());

        var runId = await PlanOverHttpAsync(admin, batchSize: 100);
        var details = await WaitForRunAsync(admin, runId);

        var run = details.GetProperty("run");
        Assert.Equal((RunStatus.Completed, 10, 5, 5, 0), (run.GetProperty("status").GetString(), run.GetProperty("total").GetInt32(),
            run.GetProperty("migrated").GetInt32(), run.GetProperty("unresolved").GetInt32(), run.GetProperty("failed").GetInt32()));
        await AssertAccountedForOnceAsync(_database.DataSource, runId, aftParts);
        await AssertCatalogAfterRunAsync(_database.DataSource, runId);
        Assert.Equal(AftermarketCatalog.LinksAfterMigration.Order(), await _catalog.LinksAsync(_database.DataSource));

        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            var stock = (await connection.QueryAsync<(int? PartId, int? AftermarketPartId, int Stock)>(
                "SELECT part_id, aftermarket_part_id, stock_quantity FROM warehouse_inventory WHERE user_id = @id ORDER BY stock_quantity",
                new { id = bodega.Id })).ToList();
            Assert.Equal(new (int?, int?, int)[] { (_catalog["A5"], null, 2), (null, _catalog["existing"], 4) }, stock);
        }
        var alternative = Assert.Single((await anonymous.GetFromJsonAsync<JsonElement>($"/api/parts/{_catalog["O2"]}/aftermarket")).EnumerateArray());
        Assert.Equal((_catalog["existing"], true), (alternative.GetProperty("aftermarket_part_id").GetInt32(), alternative.GetProperty("in_stock").GetBoolean()));

        // Stock of a bodega that is no longer active does not count.
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET is_active = false WHERE id_user = @id", new { id = bodega.Id });
        }
        var inactive = Assert.Single((await anonymous.GetFromJsonAsync<JsonElement>($"/api/parts/{_catalog["O2"]}/aftermarket")).EnumerateArray());
        Assert.False(inactive.GetProperty("in_stock").GetBoolean());
    }

    [Fact]
    public async Task A_poison_batch_fails_after_max_dequeue_count_and_the_run_reports_it()
    {
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                CREATE FUNCTION refuse_k9() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.part_number = 'K9' THEN RAISE EXCEPTION 'K9 is cursed'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_k9 BEFORE INSERT ON aftermarket_parts FOR EACH ROW EXECUTE FUNCTION refuse_k9();
                """);
        }
        var admin = await _app.CreateClientAsync("ADMIN");
        var aftParts = await AftPartIdsAsync(_database.DataSource);
        // Batches of 3 (A1-A3 | A4, A5, A7 | A8, A10, A11 | A6), below the HTTP minimum, so planned through the service;
        // the messages still go through Azurite to the host's listener.
        var planned = await _app.Services.GetRequiredService<AftermarketMigrationPlanner>().PlanAsync(false, 3, null, CancellationToken.None);

        var details = await WaitForRunAsync(admin, planned.Id);

        var run = details.GetProperty("run");
        Assert.Equal((RunStatus.Failed, 10, 4, 3, 3), (run.GetProperty("status").GetString(), run.GetProperty("total").GetInt32(),
            run.GetProperty("migrated").GetInt32(), run.GetProperty("unresolved").GetInt32(), run.GetProperty("failed").GetInt32()));
        var batches = details.GetProperty("batches").EnumerateArray().ToList();
        Assert.Equal(new[] { "completed", "failed", "completed", "completed" }, batches.Select(b => b.GetProperty("status").GetString()));
        Assert.Equal(2, batches[1].GetProperty("attempts").GetInt32());
        Assert.Contains("K9 is cursed", batches[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        await AssertAccountedForOnceAsync(_database.DataSource, planned.Id, aftParts);

        var report = await admin.GetStringAsync($"/api/admin/migrations/{planned.Id}/report.csv");
        Assert.Equal(3, report.Split("\r\n").Count(line => line.Contains(",failed,", StringComparison.Ordinal) && line.Contains("K9 is cursed", StringComparison.Ordinal)));
        var poison = _app.Services.GetRequiredService<NexusStorage>().Queue(NexusStorage.AftermarketMigrationQueue + "-poison");
        Assert.Equal(1, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
