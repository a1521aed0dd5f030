using Dapper;
using Nexus.Core.Inventory;

namespace Nexus.Tests.Inventory;

/// <summary>What an upload does to the bodega's inventory: matching, duplicates, merge/replace, idempotency, crashes.</summary>
public sealed class InventoryImportTests(InventoryTestContext context) : IClassFixture<InventoryTestContext>
{
    private static readonly InventoryColumnMapping Mapping = new()
    {
        PartNumber = "PARTE", Price = "PRECIO", Stock = "EXISTENCIAS", Location = "SUCURSAL", Brand = "MARCA", MinOrderQuantity = "MINIMO",
    };

    private static readonly InventoryColumnMapping Basic = new() { PartNumber = "PARTE", Price = "PRECIO", Stock = "EXISTENCIAS" };

    private const string Header = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL,MARCA,MINIMO\n";

    [Fact]
    public async Task Unmatched_and_ambiguous_numbers_are_reported_with_row_numbers_and_brand_disambiguates()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = Header
            + "NOPE-1,10,1,Centro,,\n"          // row 2: not in catalog
            + "0986AB2854,10,1,Centro,,\n"      // row 3: two OEM parts share it
            + "0986AB2854,11,1,Centro,bosch,\n" // row 4: Bosch → part 3
            + "0986 ab2 854,12,1,Norte,TOYOTA,\n" // row 5: Toyota → part 4
            + "GT100,13,1,Centro,,2\n"          // row 6: aftermarket only → aftermarket 1
            + "DUP-7,14,1,Centro,,\n"           // row 7: two aftermarket makers
            + "DUP7,15,1,Centro,friccion perez,\n"; // row 8: accent-insensitive brand → aftermarket 3
        var (_, upload) = await context.ImportCsvAsync(bodega, csv, mapping: Mapping);

        Assert.Equal(("completed", 7, 4, 3), (upload.Status, upload.RowsTotal, upload.RowsImported, upload.RowsErrors));
        var errors = await context.ErrorsAsync(upload.IdUpload);
        Assert.Equal([2, 3, 7], errors.Select(e => e.RowNumber));
        Assert.Contains("no encontrado", errors[0].Reason);
        Assert.Contains("NOPE-1", errors[0].Reason);
        Assert.Contains("ambiguo", errors[1].Reason);
        Assert.Contains("ambiguo", errors[2].Reason);
        var items = await context.ItemsAsync(bodega);
        Assert.Equal([(3, (int?)null, 11m, 1, "Centro"), (null, 1, 13m, 2, "Centro"), (null, 3, 15m, 1, "Centro"), (4, null, 12m, 1, "Norte")],
            items.Select(i => (i.PartId, i.AftermarketPartId, i.Price, i.MinOrderQuantity, i.WarehouseLocation)));
    }

    [Fact]
    public async Task Duplicate_rows_last_one_wins_and_the_others_are_reported()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = Header + "ABC-123,10,1,Centro,,\nabc123,20,2,Centro,,\nABC-123,30,3,Norte,,\nABC 123,40,4,Centro,,\n";
        var (_, upload) = await context.ImportCsvAsync(bodega, csv, mapping: Mapping);

        Assert.Equal((4, 2, 0, 2), (upload.RowsTotal!.Value, upload.RowsImported!.Value, upload.RowsErrors!.Value, upload.Duplicates!.Value));
        Assert.Equal([(40m, "Centro"), (30m, "Norte")], (await context.ItemsAsync(bodega)).Select(i => (i.Price, i.WarehouseLocation)));
        var duplicates = await context.ErrorsAsync(upload.IdUpload);
        Assert.Equal([(2, "duplicate"), (3, "duplicate")], duplicates.Select(d => (d.RowNumber, d.Kind)));
        Assert.All(duplicates, d => Assert.Contains("fila 5", d.Reason));
    }

    [Fact]
    public async Task An_import_leaves_no_temporary_table_on_the_pooled_connection_it_used()
    {
        // Pooled connections are not reset on close (NexusDataSource): a temporary table left behind would outlive the import.
        var bodega = await context.CreateBodegaAsync();
        var (_, completed) = await context.ImportCsvAsync(bodega, "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n", mapping: Basic);
        var (_, failed) = await context.ImportCsvAsync(bodega, "PARTE,PRECIO,EXISTENCIAS\n", mapping: Basic);

        Assert.Equal(("completed", "failed"), (completed.Status, failed.Status));
        await using var connection = await context.Database.DataSource.OpenConnectionAsync();
        Assert.Empty(await connection.QueryAsync<string>("SELECT relname FROM pg_class WHERE relpersistence = 't'"));
    }

    [Fact]
    public async Task Second_delivery_of_a_completed_upload_changes_nothing()
    {
        var bodega = await context.CreateBodegaAsync();
        var blob = await context.PutAsync(bodega, "inv.csv", "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n"u8.ToArray(), mapping: Basic);
        var processor = context.Processor();
        Assert.Equal(InventoryUploadOutcome.Completed, await processor.ProcessBlobAsync(blob, default));
        var before = await context.ItemsAsync(bodega);
        var upload = await context.UploadAsync(blob);

        Assert.Equal(InventoryUploadOutcome.AlreadyFinished, await processor.ProcessBlobAsync(blob, default));

        Assert.Equal(before, await context.ItemsAsync(bodega));
        Assert.Equal(upload, await context.UploadAsync(blob));
    }

    [Fact]
    public async Task Event_grid_message_reaches_the_upload_and_unknown_blobs_are_ignored()
    {
        var bodega = await context.CreateBodegaAsync();
        var blob = await context.PutAsync(bodega, "inv.csv", "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n"u8.ToArray(), mapping: Basic);
        var container = context.Storage.Name(Nexus.Core.Storage.NexusStorage.UploadsContainer);
        var message = BlobCreatedMessage.Create("http://127.0.0.1:21000/devstoreaccount1", container, blob, "0x1", 30);

        // The Functions host hands string data JSON-encoded a second time.
        await context.Processor().HandleMessageAsync(System.Text.Json.JsonSerializer.Serialize(message), default);
        await context.Processor().HandleMessageAsync(BlobCreatedMessage.Create("http://x", container, "1/unknown.csv", null, 1), default);

        Assert.Equal("completed", (await context.UploadAsync(blob)).Status);
    }

    [Fact]
    public async Task Merge_keeps_rows_absent_from_the_file_and_replace_removes_them_only_in_the_files_locations()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "ABC-123,10,1,Centro,,\nXYZ789,20,2,Centro,,\nK551,30,3,Norte,,\n", mapping: Mapping);

        var (_, merge) = await context.ImportCsvAsync(bodega, Header + "ABC-123,11,1,Centro,,\n", mapping: Mapping);
        Assert.Equal(3, (await context.ItemsAsync(bodega)).Count);
        Assert.Equal(0, merge.RowsDeleted);

        var (_, replace) = await context.ImportCsvAsync(bodega, Header + "ABC-123,12,1,Centro,,\n", mode: "replace", mapping: Mapping);
        Assert.Equal(1, replace.RowsDeleted);
        Assert.Equal([(1, 12m, "Centro"), (5, 30m, "Norte")], (await context.ItemsAsync(bodega)).Select(i => (i.PartId!.Value, i.Price, i.WarehouseLocation)));
    }

    [Fact]
    public async Task Unchanged_rows_are_not_rewritten()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = Header + "ABC-123,10,1,Centro,,\nXYZ789,20,2,Centro,,\n";
        await context.ImportCsvAsync(bodega, csv, mapping: Mapping);
        var before = await context.ItemsAsync(bodega);

        var (_, upload) = await context.ImportCsvAsync(bodega, Header + "ABC-123,10,1,Centro,,\nXYZ789,21,2,Centro,,\n", mapping: Mapping);

        Assert.Equal((2, 1), (upload.RowsImported!.Value, upload.RowsUnchanged!.Value));
        var after = await context.ItemsAsync(bodega);
        Assert.Equal((before[0].Xmin, before[0].UpdatedAt), (after[0].Xmin, after[0].UpdatedAt));
        Assert.NotEqual(before[1].Xmin, after[1].Xmin);
        Assert.Equal(21m, after[1].Price);
    }

    [Fact]
    public async Task A_crash_before_commit_leaves_the_previous_inventory_and_the_retry_completes()
    {
        var bodega = await context.CreateBodegaAsync();
        await context.ImportCsvAsync(bodega, Header + "ABC-123,10,1,Centro,,\nXYZ789,20,2,Centro,,\n", mapping: Mapping);
        var before = await context.ItemsAsync(bodega);
        var blob = await context.PutAsync(bodega, "inv.csv", System.Text.Encoding.UTF8.GetBytes(Header + "ABC-123,99,9,Centro,,\nK551,5,5,Sur,,\n"), "replace", Mapping);

        var crashing = context.Processor();
        crashing.StageReached = (stage, _) => stage == InventoryImportStage.BeforeCommit ? throw new IOException("worker lost") : Task.CompletedTask;
        await Assert.ThrowsAsync<IOException>(() => crashing.ProcessBlobAsync(blob, default));

        Assert.Equal(before, await context.ItemsAsync(bodega));
        Assert.Equal("pending", (await context.UploadAsync(blob)).Status);
        Assert.Empty(await context.ErrorsAsync((await context.UploadAsync(blob)).IdUpload));

        Assert.Equal(InventoryUploadOutcome.Completed, await context.Processor().ProcessBlobAsync(blob, default));
        var upload = await context.UploadAsync(blob);
        Assert.Equal(("completed", 2, 2, 1), (upload.Status, upload.Attempts, upload.RowsImported!.Value, upload.RowsDeleted!.Value));
        Assert.Equal([(1, 99m), (5, 5m)], (await context.ItemsAsync(bodega)).Select(i => (i.PartId!.Value, i.Price)));
    }

    [Fact]
    public async Task A_redelivery_waits_while_a_live_worker_holds_the_upload_and_takes_it_over_once_that_worker_died()
    {
        var bodega = await context.CreateBodegaAsync();
        var blob = await context.PutAsync(bodega, "inv.csv", "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n"u8.ToArray(), mapping: Basic);
        // A worker claimed it and is beating: the redelivery neither fails nor takes it, it waits.
        Assert.NotNull(await context.Uploads.ClaimAsync(blob, Guid.NewGuid(), "dead-worker/1/000000000000", TimeSpan.FromMinutes(2), default));
        var redelivery = context.Processor(new InventoryOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100) }).ProcessBlobAsync(blob, default);
        await Task.Delay(500);
        Assert.False(redelivery.IsCompleted);
        Assert.Equal(("processing", 1), ((await context.UploadAsync(blob)).Status, (await context.UploadAsync(blob)).Attempts));

        // That worker died: its heartbeat grows old and the waiting delivery takes over.
        await using (var connection = await context.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE inventory_uploads SET heartbeat_at = now() - interval '1 hour' WHERE blob_name = @blob", new { blob });
        }
        Assert.Equal(InventoryUploadOutcome.Completed, await redelivery.WaitAsync(TimeSpan.FromSeconds(30)));
        var upload = await context.UploadAsync(blob);
        Assert.Equal(("completed", 2, context.Worker.Name), (upload.Status, upload.Attempts, upload.ProcessedBy));
        Assert.Single(await context.ItemsAsync(bodega));
    }

    [Fact]
    public async Task A_redelivery_waiting_for_a_live_worker_changes_nothing_once_that_worker_finished()
    {
        var bodega = await context.CreateBodegaAsync();
        var blob = await context.PutAsync(bodega, "inv.csv", "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n"u8.ToArray(), mapping: Basic);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = context.Processor();
        first.StageReached = async (stage, _) =>
        {
            if (stage == InventoryImportStage.Staged)
            {
                entered.TrySetResult();
                await release.Task;
            }
        };
        var firstRun = first.ProcessBlobAsync(blob, default);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var duplicate = context.Processor(new InventoryOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100) }).ProcessBlobAsync(blob, default);
        await Task.Delay(300);
        Assert.False(duplicate.IsCompleted);
        release.SetResult();

        Assert.Equal(InventoryUploadOutcome.Completed, await firstRun.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(InventoryUploadOutcome.AlreadyFinished, await duplicate.WaitAsync(TimeSpan.FromSeconds(30)));
        var upload = await context.UploadAsync(blob);
        Assert.Equal(("completed", 1, 1), (upload.Status, upload.Attempts, upload.RowsImported!.Value));
        Assert.Single(await context.ItemsAsync(bodega));
    }

    [Fact]
    public async Task Poisoned_message_fails_an_unfinished_upload_but_never_a_completed_one()
    {
        var bodega = await context.CreateBodegaAsync();
        var container = context.Storage.Name(Nexus.Core.Storage.NexusStorage.UploadsContainer);
        var pending = await context.PutAsync(bodega, "a.csv", "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n"u8.ToArray(), mapping: Basic);
        var (_, done) = await context.ImportCsvAsync(bodega, "PARTE,PRECIO,EXISTENCIAS\nABC-123,10,1\n", mapping: Basic);
        var processor = context.Processor();

        await processor.HandlePoisonAsync(BlobCreatedMessage.Create("http://x", container, pending, null, 1), new IOException("boom"), default);

        var failed = await context.UploadAsync(pending);
        Assert.Equal("failed", failed.Status);
        Assert.Contains("varios intentos", failed.ErrorLog);
        Assert.Equal("completed", done.Status);
    }

    [Fact]
    public async Task Progress_is_published_while_parsing()
    {
        var bodega = await context.CreateBodegaAsync();
        var rows = string.Concat(Enumerable.Range(0, 450).Select(i => $"ABC-123,{i},1,S{i % 3},,\n"));
        var blob = await context.PutAsync(bodega, "inv.csv", System.Text.Encoding.UTF8.GetBytes(Header + rows), mapping: Mapping);
        var seen = -1;
        var processor = context.Processor();
        processor.StageReached = async (stage, _) =>
        {
            if (stage == InventoryImportStage.Staged)
            {
                seen = (await context.UploadAsync(blob)).RowsProcessed;
            }
        };

        await processor.ProcessBlobAsync(blob, default);

        Assert.Equal(400, seen);
        Assert.Equal((450, 3, 447), ((await context.UploadAsync(blob)).RowsProcessed, (await context.ItemsAsync(bodega)).Count, (await context.UploadAsync(blob)).Duplicates!.Value));
    }
}
