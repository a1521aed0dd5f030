using Dapper;
using Nexus.Core.Inventory;

namespace Nexus.Tests.Inventory;

/// <summary>
/// Re-uploads: rows that repeat what the bodega has (same number, brand, location and values) are unchanged without
/// matching the catalog again, yet duplicates, brand spellings, replace and catalog changes behave as on a first load.
/// </summary>
public sealed class InventoryReuploadTests(InventoryTestContext context) : IClassFixture<InventoryTestContext>
{
    private static readonly InventoryColumnMapping Mapping = new()
    {
        PartNumber = "PARTE", Price = "PRECIO", Stock = "EXISTENCIAS", Location = "SUCURSAL", Brand = "MARCA", MinOrderQuantity = "MINIMO",
    };

    private const string Header = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL,MARCA,MINIMO\n";

    [Theory]
    [InlineData("merge", true)]
    [InlineData("merge", false)]
    [InlineData("replace", true)]
    public async Task The_same_file_uploaded_again_counts_every_row_unchanged_and_writes_nothing(string mode, bool brands)
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = Header + (brands ? "0986AB2854,11,1,Centro,bosch,\n" : "") + "ABC-123,10,1,Centro,,\nXYZ789,20,2,Norte,,3\n";
        await context.ImportCsvAsync(bodega, csv, mapping: Mapping);
        var before = await context.ItemsAsync(bodega);

        var (_, again) = await context.ImportCsvAsync(bodega, csv, mode, Mapping);

        var rows = brands ? 3 : 2;
        Assert.Equal(("completed", rows, rows, rows, 0, 0, 0),
            (again.Status, again.RowsTotal!.Value, again.RowsImported!.Value, again.RowsUnchanged!.Value, again.RowsErrors!.Value,
             again.Duplicates!.Value, again.RowsDeleted!.Value));
        Assert.Equal(before, await context.ItemsAsync(bodega));
    }

    [Fact]
    public async Task A_later_row_spelling_the_brand_differently_replaces_a_repeated_row()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "0986AB2854,10,1,Centro,bosch,\n", mapping: Mapping);

        // Row 2 repeats the bodega's row word for word, row 3 names the same Bosch part at the same location: row 3 wins.
        var (_, upload) = await context.ImportCsvAsync(bodega, Header + "0986AB2854,10,1,Centro,bosch,\n0986-AB2-854,20,1,Centro,BOSCH,\n", mapping: Mapping);

        Assert.Equal((1, 0, 1, 0), (upload.RowsImported!.Value, upload.RowsUnchanged!.Value, upload.Duplicates!.Value, upload.RowsErrors!.Value));
        Assert.Equal([(3, 20m)], (await context.ItemsAsync(bodega)).Select(i => (i.PartId!.Value, i.Price)));
        var duplicate = Assert.Single(await context.ErrorsAsync(upload.IdUpload));
        Assert.Equal((2, "duplicate"), (duplicate.RowNumber, duplicate.Kind));
        Assert.Contains("fila 3", duplicate.Reason);
    }

    [Fact]
    public async Task A_repeated_row_that_comes_last_wins_and_stays_unwritten()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "0986AB2854,10,1,Centro,bosch,\n", mapping: Mapping);
        var before = await context.ItemsAsync(bodega);

        var (_, upload) = await context.ImportCsvAsync(bodega, Header + "0986-AB2-854,20,1,Centro,BOSCH,\n0986AB2854,10,1,Centro,bosch,\n", mapping: Mapping);

        Assert.Equal((1, 1, 1), (upload.RowsImported!.Value, upload.RowsUnchanged!.Value, upload.Duplicates!.Value));
        Assert.Equal(before, await context.ItemsAsync(bodega));
        Assert.Equal([(2, "duplicate")], (await context.ErrorsAsync(upload.IdUpload)).Select(e => (e.RowNumber, e.Kind)));
    }

    [Fact]
    public async Task Replace_keeps_repeated_rows_and_removes_the_rest()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "ABC-123,10,1,Centro,,\nXYZ789,20,2,Centro,,\nABC-123,30,3,Norte,,\n", mapping: Mapping);
        var before = await context.ItemsAsync(bodega);

        var (_, upload) = await context.ImportCsvAsync(bodega, Header + "ABC-123,10,1,Centro,,\n", mode: "replace", mapping: Mapping);

        Assert.Equal((1, 1, 1), (upload.RowsImported!.Value, upload.RowsUnchanged!.Value, upload.RowsDeleted!.Value));
        Assert.Equal([before[0], before[2]], await context.ItemsAsync(bodega));
    }

    [Fact]
    public async Task Rows_written_before_sources_were_kept_are_given_theirs_without_counting_as_changed()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "ABC-123,10,1,Centro,,\n", mapping: Mapping);
        await ExecuteAsync("UPDATE warehouse_inventory SET source_part_number_norm = NULL WHERE user_id = @bodega", new { bodega });
        var before = await context.ItemsAsync(bodega);

        var (_, first) = await context.ImportCsvAsync(bodega, Header + "abc 123,10,1,Centro,,\n", mapping: Mapping);
        var (_, second) = await context.ImportCsvAsync(bodega, Header + "abc 123,10,1,Centro,,\n", mapping: Mapping);

        Assert.Equal((1, 1), (first.RowsImported!.Value, first.RowsUnchanged!.Value));
        Assert.Equal((1, 1), (second.RowsImported!.Value, second.RowsUnchanged!.Value));
        var after = Assert.Single(await context.ItemsAsync(bodega));
        Assert.Equal(before[0].UpdatedAt, after.UpdatedAt);
        Assert.Equal("ABC123", await SourceAsync(bodega, "Centro", partId: 1));
    }

    [Fact]
    public async Task A_number_the_catalog_now_gives_to_another_part_moves_its_source_there()
    {
        // SRC-9 is first only an aftermarket number; then an OEM part takes it, and OEM wins without a brand.
        await ExecuteAsync("""
            INSERT INTO aftermarket_parts (id_aftermarket_parts, oem_part_id, manufacturer_id, part_number, name_aftermarket_parts)
            VALUES (90, 1, 3, 'SRC-9', 'Filtro Gates SRC')
            """);
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "SRC-9,13,1,Centro,,\n", mapping: Mapping);
        await ExecuteAsync("INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture) VALUES (90, 'SRC 9', 'Filtro SRC', 2)");

        var (_, moved) = await context.ImportCsvAsync(bodega, Header + "SRC-9,14,1,Centro,,\n", mapping: Mapping);
        var (_, again) = await context.ImportCsvAsync(bodega, Header + "SRC-9,14,1,Centro,,\n", mapping: Mapping);

        Assert.Equal((1, 0), (moved.RowsImported!.Value, moved.RowsUnchanged!.Value));
        Assert.Equal((1, 1), (again.RowsImported!.Value, again.RowsUnchanged!.Value));
        Assert.Equal([(90, (int?)null, 14m), (null, 90, 13m)],
            (await context.ItemsAsync(bodega)).Select(i => (i.PartId, i.AftermarketPartId, i.Price)));
        Assert.Equal("SRC9", await SourceAsync(bodega, "Centro", partId: 90));
        Assert.Null(await SourceAsync(bodega, "Centro", aftermarketPartId: 90));
    }

    private async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await context.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private async Task<string?> SourceAsync(int bodega, string location, int? partId = null, int? aftermarketPartId = null)
    {
        const string sql = """
            SELECT source_part_number_norm FROM warehouse_inventory
            WHERE user_id = @bodega AND warehouse_location = @location
              AND part_id IS NOT DISTINCT FROM @partId::integer AND aftermarket_part_id IS NOT DISTINCT FROM @aftermarketPartId::integer
            """;
        await using var connection = await context.Database.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<string?>(sql, new { bodega, location, partId, aftermarketPartId });
    }
}
