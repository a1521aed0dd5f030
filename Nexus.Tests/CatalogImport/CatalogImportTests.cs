using System.Text;
using System.Text.Json;
using Dapper;
using Nexus.Core.CatalogImport;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using static Nexus.Tests.CatalogImport.CatalogImportCatalog;

namespace Nexus.Tests.CatalogImport;

/// <summary>What an article feed does to the catalog: aftermarket rows, vehicle links, problems, idempotency, crashes, no AFT- parts.</summary>
public sealed class CatalogImportTests : IAsyncLifetime
{
    private CatalogImportTestContext _context = null!;

    public async Task InitializeAsync() => _context = await CatalogImportTestContext.CreateAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    // Row 2: Bosch (any case) for XYZ 789 (part 4); row 3: 0986AB2854 is parts 1 and 2, so two aftermarket rows;
    // row 4: ABC-123 (Filtros) and K/55.1 (no category), vehicle 2 is already linked to part 3.
    private const string Feed = Header
        + "bosch,BP-100,Balata Bosch,Frenos,XYZ-789,1|2\n"
        + "PARTQUIP,AC191,Bomba PARTQUIP,frenos,0986AB2854,3\n"
        + "Gates,GT 500,Filtro Gates,Filtros, abc123 | K 55 1 ,2|4\n";

    private static readonly string[] FeedAftermarket =
    [
        "1:PARTQUIP:AC191:Bomba PARTQUIP", "2:PARTQUIP:AC191:Bomba PARTQUIP", "3:Gates:GT 500:Filtro Gates",
        "4:Bosch:BP-100:Balata Bosch", "4:Gates:GT-300:Balata Gates", "5:Gates:GT 500:Filtro Gates",
    ];

    private static readonly string[] FeedLinks = ["1:1", "1:4", "1:6", "2:3", "2:4", "2:5", "2:6", "3:1", "3:2", "3:7", "4:3", "4:5"];

    [Fact]
    public async Task Articles_become_aftermarket_rows_of_every_oem_part_they_name_with_their_vehicle_links()
    {
        var (outcome, import) = await _context.ImportCsvAsync(Feed);

        Assert.Equal(CatalogImportOutcome.Completed, outcome);
        Assert.Equal(("completed", 3, 3, 0, 0), (import.Status, import.RowsTotal, import.RowsImported, import.RowsRejected, import.RowsWithProblems));
        Assert.Equal((5, 0, 0, 7), (import.AftermarketCreated, import.AftermarketUpdated, import.AftermarketUnchanged, import.VehicleLinksCreated));
        Assert.Equal("{}", import.ProblemCounts);
        Assert.Null(import.ErrorLog);
        Assert.Equal(FeedAftermarket, await AftermarketAsync(_context.Database.DataSource));
        Assert.Equal(FeedLinks, await LinksAsync(_context.Database.DataSource));
        Assert.Empty(await _context.ProblemsAsync(import.IdImport));
    }

    [Fact]
    public async Task Unknown_suppliers_categories_oem_numbers_and_vehicles_are_reported_with_row_numbers()
    {
        var csv = Header
            + "Bosch,BP-200,Balata,Frenos,XYZ789|NOPE-1,1|999|abc\n" // row 2: imported for part 4; NOPE-1, 999 and abc reported
            + "Acme Parts,AC-1,Filtro,Filtros,ABC-123,2\n"           // row 3: no such manufacturer
            + "Bosch,BP-300,Filtro,Llantas,ABC-123,\n"               // row 4: no such category
            + "Bosch,BP-400,Filtro,Filtros,XYZ789,\n"                // row 5: XYZ 789 is a Frenos part
            + "Bosch,,Sin número,Frenos,XYZ789,\n"                   // row 6: no article number
            + "Bosch,BP-500,Balata,Frenos,AFT-AC191-PARTQUIP,1\n"    // row 7: only an AFT- part has that number
            + ",,,,,\n"                                              // row 8: blank, skipped
            + "Bosch,BP-600,Sin OEM,Frenos,,\n";                     // row 9: no OEM numbers
        var (_, import) = await _context.ImportCsvAsync(csv);

        Assert.Equal(("completed", 7, 1, 6, 7), (import.Status, import.RowsTotal, import.RowsImported, import.RowsRejected, import.RowsWithProblems));
        Assert.Equal((1, 1), (import.AftermarketCreated, import.VehicleLinksCreated));
        var problems = await _context.ProblemsAsync(import.IdImport);
        Assert.Equal(
        [
            (2, "unknown_oem", "NOPE-1"), (2, "unknown_vehicle", "999"), (2, "unknown_vehicle", "abc"),
            (3, "unknown_supplier", "Acme Parts"),
            (4, "unknown_category", "Llantas"),
            (5, "category_mismatch", "XYZ789"),
            (6, "bad_row", null),
            (7, "unknown_oem", "AFT-AC191-PARTQUIP"),
            (9, "bad_row", null),
        ], problems.Select(p => (p.RowNumber, p.Kind, p.Value)));
        Assert.Contains("no encontrado", problems[0].Reason);
        Assert.Contains("Acme Parts", problems[3].Reason);
        Assert.Contains("Filtros", problems[5].Reason);
        Assert.Contains("número de artículo", problems[6].Reason);
        Assert.Contains("AFT-", problems[7].Reason);
        Assert.Contains("números OEM", problems[8].Reason);
        var counts = JsonSerializer.Deserialize<Dictionary<string, int>>(import.ProblemCounts!)!;
        Assert.Equal(new Dictionary<string, int>
        {
            ["unknown_oem"] = 2, ["unknown_vehicle"] = 2, ["unknown_supplier"] = 1, ["unknown_category"] = 1, ["category_mismatch"] = 1, ["bad_row"] = 2,
        }, counts);
        Assert.StartsWith("Fila 2: Número OEM no encontrado en el catálogo: NOPE-1\n", import.ErrorLog);
        // Vehicle 1 exists: row 2 links it (to part 4), the rejected row 7 links nothing.
        Assert.Equal(["1:1", "1:4", "1:6", "2:3", "2:6", "3:7"], await LinksAsync(_context.Database.DataSource));
    }

    [Fact]
    public async Task The_import_never_writes_parts_and_never_links_an_AFT_part()
    {
        var before = await StateAsync(_context.Database.DataSource);
        var csv = Header
            + "PARTQUIP,AC191,Balata,Frenos,AFT-AC191-PARTQUIP|AFTAC191PARTQUIP,1|2|3|4\n"
            + "Gates,GT100,Filtro,Filtros,AFT GT100 Gates|ABC-123,3|4\n"
            + "Gates,GT100,Filtro,Filtros,NEW-OEM-1,1\n";
        var (_, import) = await _context.ImportCsvAsync(csv);

        var after = await StateAsync(_context.Database.DataSource);
        Assert.Equal((before.Parts, before.AftParts, before.PartsChecksum), (after.Parts, after.AftParts, after.PartsChecksum));
        Assert.Equal((7L, 2L), (after.Parts, after.AftParts));
        Assert.Equal((3, 1, 2), (import.RowsTotal, import.RowsImported, import.RowsRejected));
        await using var connection = await _context.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM aftermarket_parts a JOIN parts p ON p.id_part = a.oem_part_id WHERE p.oem_part_number LIKE 'AFT-%'"));
        // The AFT- parts keep exactly the links they had; the only new links are vehicles 3 and 4 of ABC-123 (part 3).
        Assert.Equal(["1:1", "1:6", "2:3", "2:6", "3:3", "3:7", "4:3"], await LinksAsync(_context.Database.DataSource));
        Assert.Equal(["3:Gates:GT100:Filtro", "4:Gates:GT-300:Balata Gates"], await AftermarketAsync(_context.Database.DataSource));
        // AFTAC191PARTQUIP is the same number as AFT-AC191-PARTQUIP once normalised: one value, one problem.
        Assert.Equal(["AFT-AC191-PARTQUIP", "AFT GT100 Gates", "NEW-OEM-1"],
            (await _context.ProblemsAsync(import.IdImport)).Where(p => p.Kind == "unknown_oem").Select(p => p.Value));
    }

    [Fact]
    public async Task A_second_delivery_of_a_completed_import_changes_nothing()
    {
        var blob = await _context.PutCsvAsync(Feed);
        var processor = _context.Processor();
        Assert.Equal(CatalogImportOutcome.Completed, await processor.ProcessBlobAsync(blob, default));
        var catalog = await StateAsync(_context.Database.DataSource);
        var import = await _context.ImportRowAsync(blob);

        var message = BlobCreatedMessage.Create("http://127.0.0.1/devstoreaccount1", _context.Storage.Name(NexusStorage.UploadsContainer), blob, "0x1", 100);
        await processor.HandleMessageAsync(message, default);
        Assert.Equal(CatalogImportOutcome.AlreadyFinished, await _context.Processor().ProcessBlobAsync(blob, default));

        Assert.Equal(catalog, await StateAsync(_context.Database.DataSource));
        Assert.Equal(import, await _context.ImportRowAsync(blob));
    }

    [Fact]
    public async Task Importing_the_same_feed_again_creates_no_duplicates_and_a_new_name_updates_the_row()
    {
        await _context.ImportCsvAsync(Feed);
        var catalog = await StateAsync(_context.Database.DataSource);

        var (_, again) = await _context.ImportCsvAsync(Feed.Replace("bosch,BP-100", "BOSCH,bp100", StringComparison.Ordinal));
        Assert.Equal((3, 0, 0, 5, 0), (again.RowsImported, again.AftermarketCreated, again.AftermarketUpdated, again.AftermarketUnchanged, again.VehicleLinksCreated));
        Assert.Equal(catalog, await StateAsync(_context.Database.DataSource));

        // Same key (part, manufacturer, normalised number) with another name: the row is updated, not duplicated; no name keeps it.
        var (_, renamed) = await _context.ImportCsvAsync(Header + "Bosch,BP 100,Balata cerámica Bosch,,XYZ789,\nGates,GT-300,,,XYZ 789,\n");
        Assert.Equal((0, 1, 1), (renamed.AftermarketCreated, renamed.AftermarketUpdated, renamed.AftermarketUnchanged));
        var aftermarket = await AftermarketAsync(_context.Database.DataSource);
        Assert.Contains("4:Bosch:BP-100:Balata cerámica Bosch", aftermarket);
        Assert.Contains("4:Gates:GT-300:Balata Gates", aftermarket);
        Assert.Equal(FeedAftermarket.Length, aftermarket.Length);
    }

    [Fact]
    public async Task Rows_naming_the_same_article_twice_give_one_row_and_the_last_name_wins()
    {
        var (_, import) = await _context.ImportCsvAsync(Header
            + "Bosch,BP-1,Primero,Frenos,XYZ789,1\n"
            + "Bosch,BP1,Segundo,Frenos,XYZ 789|0986AB2854,2\n");

        Assert.Equal((2, 3, 0), (import.RowsImported, import.AftermarketCreated, import.AftermarketUnchanged));
        Assert.Equal(["1:Bosch:BP1:Segundo", "2:Bosch:BP1:Segundo", "4:Bosch:BP1:Segundo", "4:Gates:GT-300:Balata Gates"],
            await AftermarketAsync(_context.Database.DataSource));
    }

    [Fact]
    public async Task A_crash_before_commit_leaves_the_catalog_unchanged_and_the_retry_completes()
    {
        var before = await StateAsync(_context.Database.DataSource);
        var blob = await _context.PutCsvAsync(Feed + "Acme,X-1,,,NOPE,\n");

        var crashing = _context.Processor();
        crashing.StageReached = (stage, _) => stage == CatalogImportStage.BeforeCommit ? throw new IOException("worker lost") : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => crashing.ProcessBlobAsync(blob, default));

        Assert.Equal(before, await StateAsync(_context.Database.DataSource));
        var pending = await _context.ImportRowAsync(blob);
        Assert.Equal(("pending", (int?)null), (pending.Status, pending.RowsTotal));
        Assert.Empty(await _context.ProblemsAsync(pending.IdImport));

        Assert.Equal(CatalogImportOutcome.Completed, await _context.Processor().ProcessBlobAsync(blob, default));
        var import = await _context.ImportRowAsync(blob);
        Assert.Equal(("completed", 2, 4, 5), (import.Status, import.Attempts, import.RowsTotal, import.AftermarketCreated));
        Assert.Equal(2, (await _context.ProblemsAsync(import.IdImport)).Count);
        Assert.Equal(FeedAftermarket, await AftermarketAsync(_context.Database.DataSource));
    }

    [Fact]
    public async Task A_redelivery_waits_while_a_live_worker_holds_the_import_and_takes_it_over_once_that_worker_died()
    {
        var blob = await _context.PutCsvAsync(Feed);
        Assert.NotNull(await _context.Imports.ClaimAsync(blob, Guid.NewGuid(), TimeSpan.FromMinutes(2), default));
        var redelivery = _context.Processor(new CatalogImportOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100) }).ProcessBlobAsync(blob, default);
        await Task.Delay(500);
        Assert.False(redelivery.IsCompleted);
        Assert.Equal(("processing", 1), ((await _context.ImportRowAsync(blob)).Status, (await _context.ImportRowAsync(blob)).Attempts));

        await using (var connection = await _context.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE catalog_imports SET heartbeat_at = now() - interval '1 hour' WHERE blob_name = @blob", new { blob });
        }
        Assert.Equal(CatalogImportOutcome.Completed, await redelivery.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(("completed", 2), ((await _context.ImportRowAsync(blob)).Status, (await _context.ImportRowAsync(blob)).Attempts));
    }

    [Fact]
    public async Task A_poison_message_fails_an_unfinished_import_with_the_reason_but_never_a_completed_one()
    {
        var container = _context.Storage.Name(NexusStorage.UploadsContainer);
        var pending = await _context.PutCsvAsync(Feed);
        var done = await _context.PutCsvAsync(Feed);
        var processor = _context.Processor();
        await processor.ProcessBlobAsync(done, default);

        await processor.HandlePoisonAsync(BlobCreatedMessage.Create("http://x", container, pending, null, 1), new IOException("disk on fire"), 5, default);
        await processor.HandlePoisonAsync(BlobCreatedMessage.Create("http://x", container, done, null, 1), new IOException("late"), 5, default);

        var failed = await _context.ImportRowAsync(pending);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("5 intentos", failed.ErrorLog);
        Assert.Contains("disk on fire", failed.ErrorLog);
        Assert.Equal("completed", (await _context.ImportRowAsync(done)).Status);
    }

    [Fact]
    public async Task Messages_for_other_containers_or_inventory_blobs_and_unknown_blobs_are_ignored()
    {
        var blob = await _context.PutCsvAsync(Feed);
        var container = _context.Storage.Name(NexusStorage.UploadsContainer);
        var processor = _context.Processor();

        await processor.HandleMessageAsync(BlobCreatedMessage.Create("http://x", "other-container", blob, null, 1), default);
        await processor.HandleMessageAsync(BlobCreatedMessage.Create("http://x", container, "7/inventario.csv", null, 1), default);
        Assert.Equal(CatalogImportOutcome.UnknownImport, await processor.ProcessBlobAsync(CatalogImports.BlobPrefix + "nobody.csv", default));
        Assert.Equal("pending", (await _context.ImportRowAsync(blob)).Status);

        // The Functions host may hand the event JSON-encoded a second time.
        await processor.HandleMessageAsync(JsonSerializer.Serialize(BlobCreatedMessage.Create("http://x", container, blob, null, 1)), default);
        Assert.Equal("completed", (await _context.ImportRowAsync(blob)).Status);
    }

    [Fact]
    public async Task Semicolons_tabs_windows_1252_and_english_headers_are_read_and_quoted_cells_keep_their_separators()
    {
        var latin = "Proveedor;Número de artículo;Descripción;Categoría;Números OEM;Vehículos\r\n"
            + "Fricción Pérez;FP-1;\"Balata; cerámica\";Frenos;XYZ789;1|3\r\n";
        var (_, semicolons) = await _context.ImportAsync(CsvSheetReader.Windows1252.GetBytes(latin));
        Assert.Equal(("completed", 1, 1), (semicolons.Status, semicolons.RowsImported, semicolons.AftermarketCreated));

        var tabs = "SUPPLIER\tARTICLE NUMBER\tNAME\tOEM NUMBERS\tVEHICLE IDS\nkawe\t6497 10\tAmortiguador\t\"ABC-123|K/55.1\"\t4\n";
        var (_, english) = await _context.ImportAsync(Encoding.UTF8.GetBytes(tabs), "feed.tsv");
        Assert.Equal(("completed", 1, 2), (english.Status, english.RowsImported, english.AftermarketCreated));

        Assert.Contains("4:Fricción Pérez:FP-1:Balata; cerámica", await AftermarketAsync(_context.Database.DataSource));
        Assert.Contains("5:KAWE:6497 10:Amortiguador", await AftermarketAsync(_context.Database.DataSource));
    }

    [Fact]
    public async Task Progress_is_published_while_parsing()
    {
        var rows = string.Concat(Enumerable.Range(0, 450).Select(i => $"Bosch,BP-{i},Balata,Frenos,XYZ789,\n"));
        var blob = await _context.PutCsvAsync(Header + rows);
        var seen = -1;
        var processor = _context.Processor();
        processor.StageReached = async (stage, _) =>
        {
            if (stage == CatalogImportStage.Staged)
            {
                seen = (await _context.ImportRowAsync(blob)).RowsProcessed;
            }
        };

        await processor.ProcessBlobAsync(blob, default);

        Assert.Equal(400, seen);
        var import = await _context.ImportRowAsync(blob);
        Assert.Equal((450, 450, 450), (import.RowsProcessed, import.RowsImported, import.AftermarketCreated));
    }

    [Fact]
    public async Task Stored_problems_stop_at_the_limit_but_the_counts_stay_exact()
    {
        var rows = string.Concat(Enumerable.Range(0, 30).Select(i => $"Nadie,N-{i},,,NOPE-{i},\n"));
        var blob = await _context.PutCsvAsync(Header + rows);

        await _context.Processor(new CatalogImportOptions { MaxStoredProblems = 10 }).ProcessBlobAsync(blob, default);

        var import = await _context.ImportRowAsync(blob);
        Assert.Equal((30, 30), (import.RowsWithProblems, import.RowsRejected));
        Assert.Equal(new Dictionary<string, int> { ["unknown_supplier"] = 30, ["unknown_oem"] = 30 },
            JsonSerializer.Deserialize<Dictionary<string, int>>(import.ProblemCounts!));
        var stored = await _context.ProblemsAsync(import.IdImport);
        Assert.Equal(10, stored.Count);
        Assert.Equal([2, 2, 3, 3, 4], stored.Take(5).Select(p => p.RowNumber));
        Assert.EndsWith("… y 50 problemas más.\n", import.ErrorLog);
    }
}
