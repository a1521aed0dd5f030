using Dapper;

namespace Nexus.Tests.Aftermarket;

/// <summary>Bodega stock of a migrated AFT part follows it to its aftermarket part; a revert puts every row back as it was.</summary>
public sealed class AftermarketInventoryRelinkTests : IAsyncLifetime
{
    private AftermarketHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await AftermarketHarness.CreateAsync();

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private AftermarketCatalog Catalog => _harness.Catalog;

    [Fact]
    public async Task Stock_moves_to_the_new_aftermarket_part_and_rows_of_one_bodega_and_location_merge()
    {
        await using var connection = await _harness.Database.DataSource.OpenConnectionAsync();
        var bodega = await BodegaAsync(connection, "norte");
        var other = await BodegaAsync(connection, "sur");
        // A1 and A8 both land on the existing aftermarket row (O2, PARTQUIP, AC-191), which bodega "norte" already stocks at GDL.
        await connection.ExecuteAsync("""
            INSERT INTO warehouse_inventory (user_id, part_id, aftermarket_part_id, price, stock_quantity, warehouse_location, updated_at)
            VALUES (@bodega, NULL, @existing, 100, 5, 'GDL', '2026-01-01'),
                   (@bodega, @a1, NULL, 120, 4, 'GDL', '2026-01-02'),
                   (@bodega, @a8, NULL, 130, 3, 'GDL', '2026-01-03'),
                   (@bodega, @a8, NULL, 130, 7, 'MTY', '2026-01-04'),
                   (@bodega, @a2, NULL, 90, 2, 'GDL', '2026-01-05'),
                   (@other, @a1, NULL, 110, 1, 'GDL', '2026-01-06'),
                   (@bodega, @a5, NULL, 80, 6, 'GDL', '2026-01-07')
            """, new { bodega, other, existing = Catalog["existing"], a1 = Catalog["A1"], a8 = Catalog["A8"], a2 = Catalog["A2"], a5 = Catalog["A5"] });
        const string inventorySql = """
            SELECT user_id, part_id, aftermarket_part_id, price, stock_quantity, warehouse_location
            FROM warehouse_inventory ORDER BY user_id, warehouse_location, stock_quantity
            """;
        var before = (await connection.QueryAsync<Stock>(inventorySql)).ToList();

        var run = await _harness.RunAsync();

        var items = await _harness.ItemsAsync(run.Id);
        var a2Aftermarket = items["A2"].AftermarketPartId;
        Assert.Equal(new Stock[]
        {
            new(bodega, null, Catalog["existing"], 100, 12, "GDL"), // 5 + 4 + 3 merged into the row already there, its price kept
            new(bodega, Catalog["A5"], null, 80, 6, "GDL"),          // unresolved: stays on the AFT part
            new(bodega, null, a2Aftermarket, 90, 2, "GDL"),
            new(bodega, null, Catalog["existing"], 130, 7, "MTY"),  // another location: its own row
            new(other, null, Catalog["existing"], 110, 1, "GDL"),   // another bodega: its own row
        }.OrderBy(s => (s.UserId, s.WarehouseLocation, s.StockQuantity)), await connection.QueryAsync<Stock>(inventorySql));

        await _harness.Revert.RevertAsync(run.Id, CancellationToken.None);

        Assert.Equal(before, await connection.QueryAsync<Stock>(inventorySql));
    }

    private static Task<int> BodegaAsync(Npgsql.NpgsqlConnection connection, string name) =>
        connection.ExecuteScalarAsync<int>("""
            INSERT INTO users (name_user, email, pass, id_rol, business_name, is_active)
            VALUES (@name, @email, 'not-a-hash', 4, @name, true) RETURNING id_user
            """, new { name, email = $"{name}-{Guid.NewGuid():N}@test.mx" });

    private sealed record Stock(int UserId, int? PartId, int? AftermarketPartId, decimal Price, int StockQuantity, string WarehouseLocation);
}
