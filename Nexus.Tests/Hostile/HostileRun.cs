using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging;
using Nexus.Tests.Infrastructure;
using Nexus.Tests.Inventory;

namespace Nexus.Tests.Hostile;

/// <summary>An item of a bodega's inventory as the corpus compares them: catalog number, location, price, stock, minimum order.</summary>
public sealed record Item(string PartNumber, string Location, decimal Price, int Stock, int MinOrder = 1);

/// <summary>
/// One corpus case against the shared app: a fresh bodega (mapping saved, two items in stock) and the state of every
/// inventory before the case, so that afterwards the case can prove what changed and that nothing else did.
/// </summary>
public sealed class HostileRun
{
    public static readonly Item[] SeededItems = [new("ABC-123", "Centro", 100.00m, 5), new("GT-100", "Norte", 50.00m, 2)];

    private sealed record Row(int UserId, int? PartId, int? AftermarketPartId, decimal Price, int StockQuantity, int MinOrderQuantity, string WarehouseLocation, long Xmin);

    private IReadOnlyList<Row> _before = [];
    private long _lastUploadBefore;
    private int _logsBefore;
    private Item[]? _expected;

    private HostileRun(HostileFixture fixture, TestUser bodega, HttpClient client)
    {
        Fixture = fixture;
        Bodega = bodega;
        Client = client;
    }

    public HostileFixture Fixture { get; }
    public TestUser Bodega { get; }

    /// <summary>Sends the bodega's token.</summary>
    public HttpClient Client { get; }

    public static async Task<HostileRun> StartAsync(HostileFixture fixture)
    {
        var (bodega, client) = await fixture.BodegaAsync();
        var run = new HostileRun(fixture, bodega, client);
        run._before = await run.RowsAsync();
        run._lastUploadBefore = await run.ScalarAsync<long>("SELECT coalesce(max(id_upload), 0) FROM inventory_uploads");
        run._logsBefore = fixture.Logs.Entries.Count;
        return run;
    }

    /// <summary>
    /// A 4xx problem (RFC 7807) whose field error, or else whose detail, contains <paramref name="expected"/>
    /// (null: the status and title say it all, as for 401).
    /// </summary>
    public async Task<JsonObject> RefusedAsync(HttpResponseMessage response, HttpStatusCode status, string? field, string? expected)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, status);
        var message = field is null
            ? problem["detail"]?.GetValue<string>() ?? ""
            : string.Join(" ", problem["errors"]?[field]?.AsArray().Select(m => m!.GetValue<string>()) ?? []);
        Assert.True(message.Contains(expected ?? "", StringComparison.Ordinal), $"Expected \"{expected}\" in {(field ?? "detail")}: {problem.ToJsonString()}");
        AssertReadable(problem.ToJsonString());
        return problem;
    }

    /// <summary>Uploads the file (multipart, through the queue) and expects it to fail as a whole with <paramref name="expected"/> in error_log.</summary>
    public async Task<JsonObject> FailsAsync(HostileFile file, string expected, string mode = "replace")
    {
        var upload = await UploadAsync(file, mode);
        Assert.True(upload["status"]!.GetValue<string>() == "failed", $"Expected failed: {upload.ToJsonString()}");
        var log = upload["error_log"]?.GetValue<string>() ?? "";
        Assert.True(log.Contains(expected, StringComparison.Ordinal), $"Expected \"{expected}\" in error_log: {log}");
        AssertReadable(log);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM inventory_upload_errors WHERE upload_id = @id", new { id = UploadId(upload) }));
        return upload;
    }

    /// <summary>
    /// Uploads the file and expects it to complete with <paramref name="imported"/> rows imported and exactly the
    /// <paramref name="rejected"/> rows refused (row number and a part of the reason), leaving the bodega's inventory as <paramref name="inventory"/>.
    /// </summary>
    public async Task<JsonObject> CompletesAsync(HostileFile file, int imported, (int Row, string Reason)[] rejected, Item[] inventory, string mode = "merge")
    {
        var upload = await UploadAsync(file, mode);
        Assert.True(upload["status"]!.GetValue<string>() == "completed", $"Expected completed: {upload.ToJsonString()}");
        Assert.Equal(imported, upload["rows_imported"]!.GetValue<int>() + upload["rows_unchanged"]!.GetValue<int>());
        var errors = await ErrorRowsAsync(UploadId(upload));
        Assert.Equal(rejected.Select(r => r.Row), errors.Select(e => e.RowNumber));
        foreach (var ((_, reason), error) in rejected.Zip(errors))
        {
            Assert.True(error.Reason.Contains(reason, StringComparison.Ordinal), $"Row {error.RowNumber}: expected \"{reason}\" in \"{error.Reason}\"");
        }
        _expected = inventory;
        return upload;
    }

    /// <summary>The multipart upload of the spec (fields, then the file), followed until the queue function has finished it.</summary>
    public async Task<JsonObject> UploadAsync(HostileFile file, string mode = "replace", string? mappingJson = null)
    {
        var response = await PostFileAsync(file, mode, mappingJson);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var accepted = await response.JsonAsync();
        return await HttpInventoryFixture.WaitForUploadAsync(Client, UploadId(accepted));
    }

    public async Task<HttpResponseMessage> PostFileAsync(HostileFile file, string mode = "replace", string? mappingJson = null, string path = "/api/inventory/upload")
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(mode, Encoding.UTF8), "mode");
        if (mappingJson is not null)
        {
            form.Add(new StringContent(mappingJson, Encoding.UTF8), "mapping");
        }
        var content = new StreamContent(file.Open());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", file.Name);
        return await Client.PostAsync(path, form);
    }

    /// <summary>What every case must leave behind: the host healthy, no errors logged, no upload stuck, and no write beyond what it expected.</summary>
    public async Task VerifyAftermathAsync()
    {
        var health = await Fixture.AnonymousClient().GetAsync("/api/health");
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"Health after the case: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");

        var logged = Fixture.Logs.Entries.Skip(_logsBefore)
            .Where(e => e.Level >= LogLevel.Error || e.State.GetValueOrDefault("{OriginalFormat}") is "Upload {UploadId} attempt failed; it will be retried")
            .Select(e => $"{e.Level} {e.Category}: {e.Message}")
            .ToList();
        Assert.True(logged.Count == 0, "The case made the host log failures:\n" + string.Join("\n", logged));

        var unfinished = await ScalarAsync<long>(
            "SELECT count(*) FROM inventory_uploads WHERE id_upload > @last AND status = 'processing'", new { last = _lastUploadBefore });
        Assert.Equal(0, unfinished);
        var strayErrors = await ScalarAsync<long>("""
            SELECT count(*) FROM inventory_upload_errors e JOIN inventory_uploads u ON u.id_upload = e.upload_id
            WHERE u.id_upload > @last AND u.status <> 'completed'
            """, new { last = _lastUploadBefore });
        Assert.Equal(0, strayErrors);

        var after = await RowsAsync();
        Assert.Equal(_before.Where(r => r.UserId != Bodega.Id), after.Where(r => r.UserId != Bodega.Id));
        if (_expected is null)
        {
            // Not even rewritten: the same row versions as before.
            Assert.Equal(_before.Where(r => r.UserId == Bodega.Id), after.Where(r => r.UserId == Bodega.Id));
        }
        else
        {
            Assert.Equal(InOrder(_expected), InOrder(await ItemsAsync()));
        }
    }

    private static List<Item> InOrder(IEnumerable<Item> items) =>
        [.. items.OrderBy(i => i.Location, StringComparer.Ordinal).ThenBy(i => i.PartNumber, StringComparer.Ordinal)];

    public async Task<IReadOnlyList<Item>> ItemsAsync()
    {
        const string sql = """
            SELECT coalesce(p.oem_part_number, a.part_number) AS part_number, wi.warehouse_location AS location, wi.price,
                   wi.stock_quantity AS stock, wi.min_order_quantity AS min_order
            FROM warehouse_inventory wi
            LEFT JOIN parts p ON p.id_part = wi.part_id
            LEFT JOIN aftermarket_parts a ON a.id_aftermarket_parts = wi.aftermarket_part_id
            WHERE wi.user_id = @userId
            """;
        await using var connection = await Fixture.Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<(string, string, decimal, int, int)>(sql, new { userId = Bodega.Id }))
            .Select(r => new Item(r.Item1, r.Item2, r.Item3, r.Item4, r.Item5)).ToList();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Fixture.Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException($"No value from {sql}");
    }

    public static long UploadId(JsonObject upload) => upload["upload_id"]!.GetValue<long>();

    /// <summary>Messages for people: no exception names, stack frames or framework internals.</summary>
    public static void AssertReadable(string text) =>
        Assert.DoesNotMatch(@"Exception|\bat [A-Z][\w.]+\(|System\.|Microsoft\.|Npgsql|MiniExcel|CsvHelper", text);

    private async Task<List<ErrorRow>> ErrorRowsAsync(long uploadId)
    {
        const string sql = "SELECT row_number, kind, reason, raw_values FROM inventory_upload_errors WHERE upload_id = @uploadId AND kind = 'error' ORDER BY row_number";
        await using var connection = await Fixture.Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<ErrorRow>(sql, new { uploadId })).ToList();
    }

    private async Task<IReadOnlyList<Row>> RowsAsync()
    {
        const string sql = """
            SELECT user_id, part_id, aftermarket_part_id, price, stock_quantity, min_order_quantity, warehouse_location, xmin::text::bigint AS xmin
            FROM warehouse_inventory
            ORDER BY user_id, warehouse_location, part_id NULLS LAST, aftermarket_part_id
            """;
        await using var connection = await Fixture.Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<Row>(sql)).ToList();
    }
}
