using System.Text;
using Microsoft.Extensions.Logging;
using Nexus.Core.Inventory;
using Nexus.Core.Workers;
using Nexus.Tests.Queues;

namespace Nexus.Tests.Inventory;

/// <summary>
/// The plain-join match of big uploads (InventoryOptions.FastMatchMinRows) against the per-row ranking of candidates:
/// the same sequence of uploads, once with every upload on the join and once with none, must leave the same inventory,
/// the same counts and the same reported rows.
/// </summary>
public sealed class InventoryFastMatchTests(InventoryTestContext context) : IClassFixture<InventoryTestContext>
{
    private static readonly InventoryColumnMapping Mapping = new()
    {
        PartNumber = "PARTE", Price = "PRECIO", Stock = "EXISTENCIAS", Location = "SUCURSAL", Brand = "MARCA", MinOrderQuantity = "MINIMO",
    };

    private const string Header = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL,MARCA,MINIMO\n";

    // The catalog (InventoryTestContext): ABC-123, XYZ 789, K/55.1 and GT-100 have one part each; 0986AB2854 two OEM parts
    // (Bosch, Toyota); DUP-7 two aftermarket parts (Gates, Fricción Pérez).
    private static readonly (string Mode, string Csv)[] Uploads =
    [
        // First load: unique numbers with and without a brand (a wrong brand too), an aftermarket-only number, shared
        // numbers resolved and not resolved by the brand, an unknown number, a bad row, a repeated row.
        ("merge", Header +
            "ABC-123,10,1,Centro,,\n" +
            "xyz789,20,2,Centro,Gates,\n" +
            "GT-100,30,3,Centro,,\n" +
            "0986AB2854,40,4,Centro,bosch,\n" +
            "0986AB2854,41,4,Norte,,\n" +
            "DUP-7,50,5,Centro,fricción pérez,\n" +
            "DUP-7,51,5,Norte,,\n" +
            "NOPE-1,60,6,Centro,,\n" +
            "K/55.1,abc,7,Centro,,\n" +
            "K 55 1,70,7,Centro,,\n" +
            "K551,71,8,Centro,,\n"),
        // Re-upload: some rows unchanged, some changed, one spelling the brand differently, a new location.
        ("merge", Header +
            "ABC-123,10,1,Centro,,\n" +
            "xyz789,25,2,Centro,Gates,\n" +
            "GT-100,30,3,Centro,GATES,\n" +
            "0986-AB2-854,40,4,Centro,BOSCH,\n" +
            "0986AB2854,40,9,Centro,Toyota,\n" +
            "abc123,11,1,Sur,,\n"),
        // Replace: keeps what the file lists in its locations, removes the rest.
        ("replace", Header +
            "ABC-123,10,1,Centro,,\n" +
            "DUP-7,52,5,Centro,Gates,\n" +
            "GT-100,31,3,Centro,,\n"),
    ];

    [Fact]
    public async Task Matching_by_join_gives_the_same_inventory_counts_and_reports_as_ranking_every_row()
    {
        var (joined, joinLog) = await RunAsync(fastMatchMinRows: 0);
        var (ranked, rankLog) = await RunAsync(fastMatchMinRows: int.MaxValue);

        Assert.Equal(ranked.Items, joined.Items);
        Assert.Equal(ranked.Counts, joined.Counts);
        Assert.Equal(ranked.Errors, joined.Errors);
        // The comparison means something only if the two runs took different paths.
        Assert.All(rankLog, matchedByJoin => Assert.Equal(0, matchedByJoin));
        // First upload: ABC-123, xyz789 (a wrong brand does not matter with one candidate), GT-100 and K551 by the join;
        // the shared 0986AB2854 and DUP-7 ranked, NOPE-1 not found.
        Assert.Equal(4, joinLog[0]);
        // And the uploads did what the semantics say, so that two equally wrong paths cannot pass either.
        Assert.Equal([(6, 4, 0, 1), (6, 0, 3, 0), (3, 0, 1, 0)], ranked.Counts);
        Assert.Equal([(1, null, 10m, 1, 1, "Centro"), (null, 1, 31m, 3, 1, "Centro"), (null, 2, 52m, 5, 1, "Centro"), (1, null, 11m, 1, 1, "Sur")],
            ranked.Items);
    }

    private sealed record Outcome(
        List<(int? PartId, int? AftermarketPartId, decimal Price, int Stock, int MinOrder, string Location)> Items,
        List<(int Imported, int Errors, int Unchanged, int Duplicates)> Counts,
        List<string> Errors);

    private async Task<(Outcome Outcome, List<int> MatchedByJoin)> RunAsync(int fastMatchMinRows)
    {
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var processor = new InventoryUploadProcessor(context.Database.DataSource, context.Storage, context.Uploads,
            Microsoft.Extensions.Options.Options.Create(new InventoryOptions { ProgressEveryRows = 100, FastMatchMinRows = fastMatchMinRows }),
            context.Worker, new BackgroundPacing(TimeProvider.System), factory.CreateLogger<InventoryUploadProcessor>());
        var bodega = await context.CreateBodegaAsync();
        var counts = new List<(int, int, int, int)>();
        var errors = new List<string>();
        foreach (var (mode, csv) in Uploads)
        {
            var (outcome, upload) = await context.ImportAsync(bodega, "inventario.csv", Encoding.UTF8.GetBytes(csv), mode, Mapping, processor);
            Assert.Equal(InventoryUploadOutcome.Completed, outcome);
            counts.Add((upload.RowsImported!.Value, upload.RowsErrors!.Value, upload.RowsUnchanged!.Value, upload.Duplicates!.Value));
            errors.AddRange((await context.ErrorsAsync(upload.IdUpload)).Select(e => $"{e.RowNumber} {e.Kind} {e.Reason} [{string.Join("|", e.RawValues)}]"));
            errors.Add($"rows deleted {upload.RowsDeleted}");
        }
        var items = (await context.ItemsAsync(bodega))
            .Select(i => (i.PartId, i.AftermarketPartId, i.Price, i.StockQuantity, i.MinOrderQuantity, i.WarehouseLocation)).ToList();
        var matchedByJoin = logs.Entries.Where(e => e.State.ContainsKey("RowsMatchedByJoin"))
            .Select(e => Convert.ToInt32(e.State["RowsMatchedByJoin"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Uploads.Length, matchedByJoin.Count);
        return (new Outcome(items, counts, errors), matchedByJoin);
    }
}
