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

    // Row i names ABC-123 at location S(i % 1000): 3,000 rows, each location three times (1,000 apart, so in different
    // batches); the last row of each location wins, the two before are duplicates that name it.
    private static string RepeatedCsv() =>
        "PARTE,PRECIO,EXISTENCIAS,SUCURSAL\n" + string.Concat(Enumerable.Range(1, 3_000).Select(i => $"ABC-123,{i}.25,1,S{i % 1000}\n"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rows_repeated_across_batches_leave_the_last_and_report_the_others_even_when_every_key_collides(bool everyKeyCollides)
    {
        var bodega = await context.CreateBodegaAsync();
        var processor = context.Processor();
        // A constant hash makes every row a suspect: the database must still tell the repeated keys from the rest.
        processor.DuplicateKeyHash = everyKeyCollides ? _ => 42 : null;

        var (_, upload) = await context.ImportAsync(bodega, "inv.csv", Encoding.UTF8.GetBytes(RepeatedCsv()), mapping: Mapping, processor: processor);

        Assert.Equal(("completed", 3_000, 1_000, 2_000, 0), (upload.Status, upload.RowsTotal, upload.RowsImported, upload.Duplicates, upload.RowsErrors));
        var items = await context.ItemsAsync(bodega);
        // Location S(k) was last named by row 2,001 + k of the data, line 2,002 + k of the file (k = 0 .. 999).
        Assert.Equal(Enumerable.Range(0, 1_000).Select(k => ($"S{k}", 2_000 + (k == 0 ? 1_000 : k) + 0.25m)).OrderBy(i => i.Item1, StringComparer.Ordinal),
            items.Select(i => (i.WarehouseLocation, i.Price)).OrderBy(i => i.WarehouseLocation, StringComparer.Ordinal));
        var duplicates = await context.ErrorsAsync(upload.IdUpload);
        Assert.Equal(2_000, duplicates.Count);
        Assert.All(duplicates, d => Assert.Equal("duplicate", d.Kind));
        // Line L (data row L - 1) names S((L - 1) % 1000); its winner is the last line naming that location.
        Assert.All(duplicates, d =>
        {
            var k = (d.RowNumber - 1) % 1000;
            var winnerLine = 2_000 + (k == 0 ? 1_000 : k) + 1;
            Assert.Equal($"Fila repetida: la fila {winnerLine} la reemplaza", d.Reason);
        });
    }

    [Fact]
    public void Every_row_of_a_repeated_key_is_a_suspect_and_a_colliding_hash_only_adds_suspects()
    {
        static InventoryRow Row(int line, string norm, string location) => new(line, norm, norm, null, 1m, 1, location, 1, null, null);
        var rows = new[] { Row(2, "A1", "X"), Row(3, "B2", "X"), Row(4, "A1", "X"), Row(5, "C3", "Y"), Row(6, "A1", "X") };

        var real = new RowDeduplicator();
        var colliding = new RowDeduplicator(row => row.PartNumberNorm == "C3" ? 7 : row.PartNumberNorm.Length);
        foreach (var row in rows)
        {
            real.Add(row);
            colliding.Add(row);
        }

        Assert.Equal([2, 4, 6], real.Suspects());
        Assert.Equal([2, 3, 4, 6], colliding.Suspects());
    }
}
