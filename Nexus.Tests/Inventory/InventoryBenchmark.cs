using System.Diagnostics;
using System.Text;
using Dapper;
using Nexus.Core.Inventory;
using Xunit.Abstractions;

namespace Nexus.Tests.Inventory;

/// <summary>
/// The import benchmark (1M rows against a 1M-part catalog): first load, then a re-upload with 2% changed.
/// Runs only with NEXUS_BENCH=1; it reports times and checks the counts, never fails on time.
/// </summary>
public sealed class InventoryBenchmark(InventoryTestContext context, ITestOutputHelper output) : IClassFixture<InventoryTestContext>
{
    private const int Rows = 1_000_000;

    [Fact]
    public async Task One_million_rows_first_load_and_two_percent_reupload()
    {
        if (Environment.GetEnvironmentVariable("NEXUS_BENCH") != "1")
        {
            return;
        }
        await using (var connection = await context.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture)
                SELECT 1000 + i, 'BN-' || lpad(i::text, 7, '0'), 'Parte ' || i, 1 + i % 4 FROM generate_series(1, @rows) i;
                ANALYZE parts;
                """, new { rows = Rows }, commandTimeout: 600);
        }
        var mapping = new InventoryColumnMapping { PartNumber = "part_number", Price = "price", Stock = "stock", Location = "location" };
        var bodega = await context.CreateBodegaAsync();
        var options = new InventoryOptions { ProgressEveryRows = 50_000 };

        var first = await TimeAsync(bodega, File(changedEvery: 0), mapping, options);
        output.WriteLine($"first load: {first.Elapsed.TotalSeconds:F2} s, peak working set {first.PeakMb} MB");
        Assert.Equal((Rows, 0), (first.Upload.RowsImported!.Value, first.Upload.RowsErrors!.Value));

        var second = await TimeAsync(bodega, File(changedEvery: 50), mapping, options);
        output.WriteLine($"2% re-upload: {second.Elapsed.TotalSeconds:F2} s, peak working set {second.PeakMb} MB");
        Assert.Equal((Rows, Rows - Rows / 50), (second.Upload.RowsImported!.Value, second.Upload.RowsUnchanged!.Value));
    }

    private static byte[] File(int changedEvery)
    {
        var builder = new StringBuilder("part_number,price,stock,location\n", Rows * 36);
        for (var i = 1; i <= Rows; i++)
        {
            var price = 100 + i % 997 + (changedEvery > 0 && i % changedEvery == 0 ? 1 : 0);
            builder.Append("BN-").Append(i.ToString("D7")).Append(',').Append(price).Append(".50,").Append(i % 50).Append(",Guadalajara\n");
        }
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private async Task<(TimeSpan Elapsed, long PeakMb, UploadRow Upload)> TimeAsync(int bodega, byte[] file, InventoryColumnMapping mapping, InventoryOptions options)
    {
        var blob = await context.PutAsync(bodega, "bench.csv", file, mapping: mapping);
        GC.Collect();
        var stopwatch = Stopwatch.StartNew();
        var outcome = await context.Processor(options).ProcessBlobAsync(blob, default);
        stopwatch.Stop();
        Assert.Equal(InventoryUploadOutcome.Completed, outcome);
        return (stopwatch.Elapsed, Process.GetCurrentProcess().PeakWorkingSet64 / 1048576, await context.UploadAsync(blob));
    }
}
