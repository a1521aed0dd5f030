using Dapper;
using Nexus.Core.Aftermarket;
using Npgsql;

namespace Nexus.Tests.Aftermarket;

public sealed class AftermarketMigrationTests : IAsyncLifetime
{
    private AftermarketHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AftermarketHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private AftermarketCatalog Catalog => _harness.Catalog;

    [Fact]
    public async Task Parses_the_number_and_resolves_the_oem_part_by_cross_reference_then_vehicles()
    {
        var run = await _harness.RunAsync();
        var items = await _harness.ItemsAsync(run.Id);

        AssertMigrated(items["A1"], "AC191", "PARTQUIP", "O2", "cross_reference");
        AssertMigrated(items["A2"], "10-0058", "Airstal", "O1", "cross_reference");
        AssertMigrated(items["A3"], "X1", "MEAT-DORIA", "O1", "vehicles");
        AssertMigrated(items["A4"], "K9", "KAWE", "O4", "vehicles");
        AssertMigrated(items["A8"], "AC191", "PARTQUIP", "O2", "cross_reference");

        Assert.Equal("unresolved", items["A5"].Outcome);
        Assert.Null(items["A5"].Manufacturer);
        Assert.StartsWith("no_manufacturer", items["A5"].Reason);
        Assert.All(new[] { "A7", "A10", "A11", "A6" }, key =>
        {
            Assert.Equal("unresolved", items[key].Outcome);
            Assert.Null(items[key].OemPartId);
            Assert.StartsWith("no_oem_part", items[key].Reason);
        });
        Assert.Equal("-5", items["A11"].ArticleNumber);
        Assert.Equal("BOSCH", items["A6"].Manufacturer);
    }

    [Fact]
    public async Task Every_aft_part_is_accounted_for_exactly_once_and_the_run_completes()
    {
        var run = await _harness.RunAsync();
        var items = await _harness.ItemsAsync(run.Id);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(AftermarketCatalog.AftKeys.Length, run.Total);
        Assert.Equal(run.Total, run.Migrated + run.Unresolved + run.Failed);
        Assert.Equal((AftermarketCatalog.MigratedKeys.Length, AftermarketCatalog.UnresolvedKeys.Length, 0), (run.Migrated, run.Unresolved, run.Failed));
        Assert.Equal(AftermarketCatalog.AftKeys.Order(), items.Keys.Order());
        Assert.Equal(4, run.BatchesTotal);
        Assert.Equal(run.BatchesTotal, run.BatchesDone);
        Assert.NotNull(run.CompletedAt);
    }

    [Fact]
    public async Task Migrated_parts_leave_the_catalog_and_their_links_move_to_the_oem_part()
    {
        var run = await _harness.RunAsync();

        Assert.Equal(AftermarketCatalog.LinksAfterMigration.Order(), await Catalog.LinksAsync(_harness.Database.DataSource));
        await using var connection = await _harness.Database.DataSource.OpenConnectionAsync();
        var remaining = await connection.QueryAsync<string>("SELECT oem_part_number FROM parts WHERE oem_part_number LIKE 'AFT-%' ORDER BY 1");
        Assert.Equal(new[] { "AFT--5-BOSCH", "AFT-Q5-KAWE", "AFT-W2-BOSCH", "AFT-Y7-BOSCH", "AFT-Z1-NOBODY" }, remaining);
        Assert.Equal(Catalog["O2"], await connection.ExecuteScalarAsync<int>(
            "SELECT part_id FROM part_cross_references WHERE id_cross_reference = @id", new { id = Catalog["x:A1:XR-1"] }));
        Assert.Equal(Catalog["O4"], await connection.ExecuteScalarAsync<int>(
            "SELECT part_id FROM part_cross_references WHERE id_cross_reference = @id", new { id = Catalog["x:A4:Q5"] }));
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM aftermarket_migration_archived_parts WHERE run_id = @id", new { id = run.Id }));
    }

    [Fact]
    public async Task Aftermarket_rows_are_created_once_and_existing_rows_are_reused()
    {
        var run = await _harness.RunAsync();
        var items = await _harness.ItemsAsync(run.Id);

        Assert.Equal(Catalog["existing"], items["A1"].AftermarketPartId);
        Assert.Equal(Catalog["existing"], items["A8"].AftermarketPartId);
        await using var connection = await _harness.Database.DataSource.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(int OemPartId, string Manufacturer, string PartNumber, string? Name)>("""
            SELECT a.oem_part_id, m.name_manufacture, a.part_number, a.name_aftermarket_parts
            FROM aftermarket_parts a JOIN manufacturers m ON m.id_manufacture = a.manufacturer_id ORDER BY a.id_aftermarket_parts
            """)).ToList();
        Assert.Equal(
            new[]
            {
                (Catalog["O2"], "PARTQUIP", "AC-191", (string?)"Balata"),
                (Catalog["O1"], "Airstal", "10-0058", "Pieza A2"),
                (Catalog["O1"], "MEAT-DORIA", "X1", "Pieza A3"),
                (Catalog["O4"], "KAWE", "K9", "Pieza A4"),
            }.OrderBy(r => r.Item3),
            rows.OrderBy(r => r.PartNumber));
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM aftermarket_migration_created_aftermarket_parts WHERE run_id = @id", new { id = run.Id }));
    }

    [Fact]
    public async Task Outcome_does_not_depend_on_batch_order_and_a_dry_run_predicts_it()
    {
        var dry = await _harness.RunAsync(dryRun: true);
        var reversed = await _harness.RunAsync(reverse: true);

        var predicted = await _harness.ItemsAsync(dry.Id);
        var actual = await _harness.ItemsAsync(reversed.Id);
        Assert.Equal(
            predicted.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Outcome, kv.Value.OemPartId, kv.Value.ResolvedBy, kv.Value.Reason)),
            actual.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Outcome, kv.Value.OemPartId, kv.Value.ResolvedBy, kv.Value.Reason)));
        Assert.Equal(AftermarketCatalog.LinksAfterMigration.Order(), await Catalog.LinksAsync(_harness.Database.DataSource));
    }

    [Fact]
    public async Task A_dry_run_changes_nothing_in_the_catalog()
    {
        var before = await AftermarketCatalog.ChecksumsAsync(_harness.Database.DataSource);

        var run = await _harness.RunAsync(dryRun: true);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal((5, 5, 0), (run.Migrated, run.Unresolved, run.Failed));
        Assert.Equal(before, await AftermarketCatalog.ChecksumsAsync(_harness.Database.DataSource));
        await using var connection = await _harness.Database.DataSource.OpenConnectionAsync();
        Assert.False(await AftermarketNumberGuard.IsEnabledAsync(connection, null, CancellationToken.None));
    }

    [Fact]
    public async Task After_a_completed_run_new_aft_numbers_are_refused()
    {
        await _harness.RunAsync();

        await using var connection = await _harness.Database.DataSource.OpenConnectionAsync();
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO parts (oem_part_number, name_part) VALUES ('AFT-NEW1-BOSCH', 'Nueva')"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        Assert.Equal(AftermarketNumberGuard.ConstraintName, refused.ConstraintName);
        // OEM numbers are still welcome, and the unresolved AFT rows stay (NOT VALID).
        await connection.ExecuteAsync("INSERT INTO parts (oem_part_number, name_part) VALUES ('0986AB9999', 'Nueva')");
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM parts WHERE oem_part_number LIKE 'AFT-%'"));
    }

    [Fact]
    public async Task Revert_restores_the_catalog_exactly_and_lifts_the_guard()
    {
        var before = await AftermarketCatalog.ChecksumsAsync(_harness.Database.DataSource);
        var run = await _harness.RunAsync();
        Assert.NotEqual(before, await AftermarketCatalog.ChecksumsAsync(_harness.Database.DataSource));

        var reverted = await _harness.Revert.RevertAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Reverted, reverted.Status);
        Assert.Equal(before, await AftermarketCatalog.ChecksumsAsync(_harness.Database.DataSource));
        await using var connection = await _harness.Database.DataSource.OpenConnectionAsync();
        Assert.False(await AftermarketNumberGuard.IsEnabledAsync(connection, null, CancellationToken.None));
        await Assert.ThrowsAsync<AftermarketMigrationConflict>(() => _harness.Revert.RevertAsync(run.Id, CancellationToken.None));

        // The catalog is whole again, so a new run gives the same result as the first.
        var again = await _harness.RunAsync();
        Assert.Equal((5, 5, 0), (again.Migrated, again.Unresolved, again.Failed));
        Assert.Equal(AftermarketCatalog.LinksAfterMigration.Order(), await Catalog.LinksAsync(_harness.Database.DataSource));
    }

    [Fact]
    public async Task Only_one_run_at_a_time_and_dry_runs_cannot_be_reverted()
    {
        var first = await _harness.Planner.PlanAsync(dryRun: true, batchSize: 3, createdBy: null, CancellationToken.None);
        Assert.Equal(RunStatus.Planned, first.Status);
        Assert.Equal(4, await _harness.QueuedMessagesAsync());

        await Assert.ThrowsAsync<AftermarketMigrationConflict>(() => _harness.Planner.PlanAsync(false, 3, null, CancellationToken.None));
        for (var batchNo = 1; batchNo <= first.BatchesTotal; batchNo++)
        {
            await _harness.Worker.ProcessAsync(new MigrationBatchMessage(first.Id, batchNo), CancellationToken.None);
        }
        await Assert.ThrowsAsync<AftermarketMigrationConflict>(() => _harness.Revert.RevertAsync(first.Id, CancellationToken.None));
        var second = await _harness.Planner.PlanAsync(false, 3, null, CancellationToken.None);
        Assert.Equal(RunStatus.Planned, second.Status);
    }

    private void AssertMigrated(AftermarketHarness.Item item, string article, string manufacturer, string oemKey, string resolvedBy)
    {
        Assert.Equal(("migrated", article, manufacturer, (int?)Catalog[oemKey], resolvedBy),
            (item.Outcome, item.ArticleNumber, item.Manufacturer, item.OemPartId, item.ResolvedBy));
        Assert.NotNull(item.AftermarketPartId);
        Assert.Null(item.Reason);
    }
}
