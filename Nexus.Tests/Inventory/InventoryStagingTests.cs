using System.Text;
using Nexus.Core.Inventory;

namespace Nexus.Tests.Inventory;

/// <summary>
/// Staging parses a file on one thread while another writes its rows to the COPY, in batches: files of many batches,
/// a file that turns out to be Windows-1252 late, and a file that fails late must behave as if it were one stream.
/// </summary>
public sealed class InventoryStagingTests(InventoryTestContext context) : IClassFixture<InventoryTestContext>
{
    private static readonly InventoryColumnMapping Mapping = new() { PartNumber = "PARTE", Price = "PRECIO", Stock = "EXISTENCIAS", Location = "SUCURSAL" };

    // Part ABC-123 at a different location on every row, so that every row is imported.
    private static string Csv(int rows, Func<int, string>? location = null) =>
        "PARTE,PRECIO,EXISTENCIAS,SUCURSAL\n" + string.Concat(Enumerable.Range(1, rows).Select(i => $"ABC-123,{i}.25,{i % 50},{location?.Invoke(i) ?? $"S{i}"}\n"));

    [Fact]
    public async Task A_file_of_many_batches_stages_every_row_once_and_in_order()
    {
        var bodega = await context.CreateBodegaAsync();
        var (_, upload) = await context.ImportCsvAsync(bodega, Csv(5_000), mapping: Mapping);

        Assert.Equal(("completed", 5_000, 5_000, 0), (upload.Status, upload.RowsTotal, upload.RowsImported, upload.RowsErrors));
        var items = await context.ItemsAsync(bodega);
        Assert.Equal(Enumerable.Range(1, 5_000).Select(i => ($"S{i}", i + 0.25m, i % 50)).OrderBy(i => i.Item1, StringComparer.Ordinal),
            items.Select(i => (i.WarehouseLocation, i.Price, i.StockQuantity)).OrderBy(i => i.WarehouseLocation, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_file_that_is_windows_1252_only_after_some_batches_is_read_again_whole()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = Csv(4_000, i => i == 3_500 ? "Querétaro" : $"S{i}");

        var (_, upload) = await context.ImportAsync(bodega, "inv.csv", CsvSheetReader.Windows1252.GetBytes(csv), mapping: Mapping);

        Assert.Equal(("completed", 4_000, 4_000), (upload.Status, upload.RowsTotal, upload.RowsImported));
        var items = await context.ItemsAsync(bodega);
        Assert.Equal(4_000, items.Count);
        Assert.Equal(3_500.25m, Assert.Single(items, i => i.WarehouseLocation == "Querétaro").Price);
    }

    [Fact]
    public async Task A_file_failing_after_some_batches_leaves_the_inventory_as_it_was()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Csv(3), mapping: Mapping);
        var before = await context.ItemsAsync(bodega);

        var processor = context.Processor(new InventoryOptions { ProgressEveryRows = 100, MaxRows = 2_500 });
        var (outcome, upload) = await context.ImportAsync(bodega, "inv.csv", Encoding.UTF8.GetBytes(Csv(4_000)), mapping: Mapping, processor: processor);

        Assert.Equal((InventoryUploadOutcome.Failed, "failed"), (outcome, upload.Status));
        Assert.Contains("filas de datos", upload.ErrorLog);
        Assert.Equal(before, await context.ItemsAsync(bodega));
    }
}
