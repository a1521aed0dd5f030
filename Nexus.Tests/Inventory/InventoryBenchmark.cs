using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using MiniExcelLibs;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using Nexus.Core.Workers;
using Nexus.Tests.Infrastructure;
using Npgsql;

namespace Nexus.Tests.Inventory;

/// <summary>
/// The pipeline half of bench/inventory, which prepares the database (the full data set) and the files and runs the floor:
/// CSV first load, CSV re-upload with 2% changed, XLSX first load, each through the real processor.
/// Runs only with NEXUS_BENCH=1 and the script's variables; it writes times to NEXUS_BENCH_OUT and checks the counts, never time.
/// </summary>
public sealed class InventoryBenchmark
{
    private static string? Setting(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    // Not part of ./nexus test (which filters out Category=Benchmark); bench/inventory runs it with its variables.
    [Fact]
    [Trait("Category", "Benchmark")]
    public async Task One_million_rows_first_load_two_percent_reupload_and_xlsx()
    {
        if (Setting("NEXUS_BENCH") != "1" || Setting("NEXUS_BENCH_DATABASE") is not { } database)
        {
            throw new InvalidOperationException("This benchmark runs from bench/inventory, which sets NEXUS_BENCH and friends.");
        }
        var rows = int.Parse(Setting("NEXUS_BENCH_ROWS")!, CultureInfo.InvariantCulture);
        var (csv, changedCsv, output) = (Setting("NEXUS_BENCH_CSV")!, Setting("NEXUS_BENCH_CSV_CHANGED")!, Setting("NEXUS_BENCH_OUT")!);
        var xlsx = csv + ".xlsx";
        if (!File.Exists(xlsx))
        {
            WriteXlsx(csv, xlsx);
        }
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        await using var db = NpgsqlDataSource.Create(database);
        var storage = new NexusStorage(Microsoft.Extensions.Options.Options.Create(new StorageOptions
        {
            ConnectionString = TestEnvironment.Storage,
            NamePrefix = $"b{Guid.NewGuid():N}"[..9] + "-",
        }));
        var container = storage.Container(NexusStorage.UploadsContainer);
        await container.CreateIfNotExistsAsync();
        try
        {
            var uploads = new InventoryUploads(db);
            var processor = new InventoryUploadProcessor(db, storage, uploads,
                Microsoft.Extensions.Options.Options.Create(new InventoryOptions()), WorkerIdentity.ForThisProcess("inventory-bench"), new BackgroundPacing(TimeProvider.System),
                NullLogger<InventoryUploadProcessor>.Instance);
            var mapping = new InventoryColumnMapping { PartNumber = "part_number", Price = "price", Stock = "stock", Location = "location" };
            var (known, changed) = (rows - rows / 20, rows / 50);
            var results = new List<string>();
            var bodegas = await BenchBodegasAsync(db);

            async Task<(UploadRow Upload, string Line)> Run(string name, int bodega, string file)
            {
                var (_, blobName) = await uploads.CreateAsync(bodega, Path.GetFileName(file), "merge", mapping, CancellationToken.None);
                await using (var content = File.OpenRead(file))
                {
                    await container.GetBlobClient(blobName).UploadAsync(content);
                }
                await CheckpointAsync(db);
                var baseline = ResetPeakMemory();
                var stopwatch = Stopwatch.StartNew();
                var staged = TimeSpan.Zero;
                processor.StageReached = (stage, _) =>
                {
                    if (stage == InventoryImportStage.Staged)
                    {
                        staged = stopwatch.Elapsed;
                    }
                    return Task.CompletedTask;
                };
                Assert.Equal(InventoryUploadOutcome.Completed, await processor.ProcessBlobAsync(blobName, default));
                stopwatch.Stop();
                var peakDelta = (ReadStatusKb("VmHWM") - baseline) / 1024;
                var upload = await UploadAsync(db, blobName);
                var counts = $"parse+COPY {staged.TotalSeconds:F1} s, apply {(stopwatch.Elapsed - staged).TotalSeconds:F1} s; imported {upload.RowsImported}, unchanged {upload.RowsUnchanged}, errors {upload.RowsErrors}";
                results.Add(string.Create(CultureInfo.InvariantCulture, $"{name}\t{stopwatch.Elapsed.TotalSeconds:F2}\t{peakDelta}\t{counts}"));
                return (upload, counts);
            }

            async Task Floor(string name, string file)
            {
                await CheckpointAsync(db);
                var seconds = RunFloor(file);
                results.Add(string.Create(CultureInfo.InvariantCulture, $"{name}\t{seconds:F2}\t0\tpsql"));
            }

            // A host that has processed an upload before runs JIT-compiled, tiered-up code: one small upload first (its
            // time is reported, not compared), so that the cases below measure the pipeline and not the process's start.
            var warmup = csv + ".warmup.csv";
            await File.WriteAllLinesAsync(warmup, File.ReadLines(csv).Take(20_001));
            await Run("warmup_20k", bodegas[4], warmup);
            // The floor itself moves by a quarter between runs on this kind of machine: each CSV case runs in several
            // rounds, each right after its own floor, and bench/inventory reports every round and the median ratio.
            var rounds = int.Parse(Setting("NEXUS_BENCH_ROUNDS") ?? "3", CultureInfo.InvariantCulture);
            for (var round = 1; round <= rounds; round++)
            {
                await EmptyInventoryAsync(db);
                await Floor($"floor_first.{round}", csv);
                await Floor($"floor_reupload.{round}", csv);
                await EmptyInventoryAsync(db);
                var first = await Run($"csv_first.{round}", bodegas[2], csv);
                Assert.Equal((known, 0, rows - known), (first.Upload.RowsImported!.Value, first.Upload.RowsUnchanged!.Value, first.Upload.RowsErrors!.Value));
                var again = await Run($"csv_reupload.{round}", bodegas[2], changedCsv);
                Assert.Equal((known, known - changed), (again.Upload.RowsImported!.Value, again.Upload.RowsUnchanged!.Value));
            }

            await EmptyInventoryAsync(db);
            // The xlsx floor reads the workbook raw with MiniExcel (the library the import used before its own
            // streaming reader, see XlsxSheetReader); the import's own reader is timed too, for comparison.
            var miniExcel = Stopwatch.StartNew();
            var miniExcelCells = 0L;
            foreach (IDictionary<string, object?> row in MiniExcel.Query(xlsx, useHeaderRow: false, excelType: ExcelType.XLSX))
            {
                foreach (var value in row.Values)
                {
                    miniExcelCells += value is null || value is string { Length: 0 } ? 0 : 1;
                }
            }
            miniExcel.Stop();
            Assert.Equal((rows + 1) * 4L, miniExcelCells);
            results.Add(string.Create(CultureInfo.InvariantCulture, $"xlsx_read_miniexcel\t{miniExcel.Elapsed.TotalSeconds:F2}\t0\t{miniExcelCells} cells"));
            var read = Stopwatch.StartNew();
            var cells = 0L;
            await using (var file = File.OpenRead(xlsx))
            using (var sheet = new XlsxSheetReader(file, null))
            {
                while (sheet.Read())
                {
                    for (var i = 0; i < sheet.FieldCount; i++)
                    {
                        cells += sheet.Cell(i).Text.Length > 0 ? 1 : 0;
                    }
                }
            }
            read.Stop();
            Assert.Equal((rows + 1) * 4L, cells);
            results.Add(string.Create(CultureInfo.InvariantCulture, $"xlsx_read\t{read.Elapsed.TotalSeconds:F2}\t0\t{cells} cells"));
            await Floor("floor_first_xlsx", csv);
            await EmptyInventoryAsync(db);
            var fromXlsx = await Run("xlsx_first", bodegas[3], xlsx);
            Assert.Equal(known, fromXlsx.Upload.RowsImported!.Value);

            await File.WriteAllLinesAsync(output, results);
            if (Setting("NEXUS_BENCH_HTTP_PASSWORD") is { } password)
            {
                // bench/inventory then times a first load over HTTP against a standalone host, signed in as bodega 4.
                const string sql = "UPDATE users SET pass = @hash WHERE email = 'bodega4@bench.mx'";
                await using var connection = await db.OpenConnectionAsync();
                await connection.ExecuteAsync(sql, new { hash = BCrypt.Net.BCrypt.HashPassword(password, 12) });
            }
        }
        finally
        {
            await container.DeleteIfExistsAsync();
        }
    }

    /// <summary>The ids of bodega1@bench.mx … bodega4@bench.mx (bench/inventory creates them), by their number.</summary>
    private static async Task<Dictionary<int, int>> BenchBodegasAsync(NpgsqlDataSource db)
    {
        const string sql = """
            SELECT substring(email FROM 'bodega(\d)@')::int AS number, id_user
            FROM users WHERE email LIKE 'bodega_@bench.mx'
            """;
        await using var connection = await db.OpenConnectionAsync();
        var bodegas = (await connection.QueryAsync<(int Number, int IdUser)>(sql)).ToDictionary(b => b.Number, b => b.IdUser);
        Assert.Equal(4, bodegas.Count);
        return bodegas;
    }

    /// <summary>bench/inventory-floor.sh for bodega 1; returns its wall time in seconds.</summary>
    private static double RunFloor(string csv)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        foreach (var argument in new[] { Setting("NEXUS_BENCH_FLOOR")!, Setting("NEXUS_BENCH_DB_NAME")!, csv, Setting("NEXUS_BENCH_FLOOR_BODEGA")! })
        {
            start.ArgumentList.Add(argument);
        }
        using var floor = Process.Start(start)!;
        var seconds = floor.StandardOutput.ReadToEnd();
        floor.WaitForExit();
        Assert.Equal(0, floor.ExitCode);
        return double.Parse(seconds, CultureInfo.InvariantCulture);
    }

    private static async Task EmptyInventoryAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM warehouse_inventory", commandTimeout: 600);
        await connection.ExecuteAsync("VACUUM ANALYZE warehouse_inventory", commandTimeout: 600);
        await CheckpointAsync(db);
    }

    /// <summary>
    /// Before every timed case: the previous case's WAL is written out now, so that no case pays for a checkpoint
    /// (by size or by time) that an earlier one caused.
    /// </summary>
    private static async Task CheckpointAsync(NpgsqlDataSource db)
    {
        await using var connection = await db.OpenConnectionAsync();
        // Dapper would take a one-word command for a stored procedure.
        await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection) { CommandTimeout = 600 };
        await checkpoint.ExecuteNonQueryAsync();
    }

    private static async Task<UploadRow> UploadAsync(NpgsqlDataSource db, string blobName)
    {
        const string sql = """
            SELECT id_upload, status, rows_total, rows_imported, rows_errors, rows_unchanged, duplicates, rows_deleted,
                   rows_processed, error_log, attempts, processed_by
            FROM inventory_uploads WHERE blob_name = @blobName
            """;
        await using var connection = await db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<UploadRow>(sql, new { blobName });
    }

    /// <summary>Resets the kernel's peak-RSS mark (VmHWM) and returns the current RSS in kB, after a full collection.</summary>
    private static long ResetPeakMemory()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        return ReadStatusKb("VmRSS");
    }

    private static long ReadStatusKb(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static void WriteXlsx(string csv, string xlsx)
    {
        static IEnumerable<Dictionary<string, object>> Rows(string csv)
        {
            foreach (var line in File.ReadLines(csv).Skip(1))
            {
                var cells = line.Split(',');
                yield return new Dictionary<string, object>
                {
                    ["part_number"] = cells[0],
                    ["price"] = decimal.Parse(cells[1], CultureInfo.InvariantCulture),
                    ["stock"] = int.Parse(cells[2], CultureInfo.InvariantCulture),
                    ["location"] = cells[3],
                };
            }
        }
        MiniExcel.SaveAs(xlsx + ".tmp", Rows(csv), excelType: ExcelType.XLSX);
        File.Move(xlsx + ".tmp", xlsx);
    }
}
