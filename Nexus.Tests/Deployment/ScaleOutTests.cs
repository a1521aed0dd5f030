using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Core.Aftermarket;
using Nexus.Core.Auth;
using Nexus.Core.DataSets;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;
using Nexus.Tests.Inventory;
using static Nexus.Tests.Aftermarket.AftermarketQueueSupport;

namespace Nexus.Tests.Deployment;

/// <summary>
/// Scale-out (issue #6): two standalone host processes, as two Container Apps replicas or Functions instances, on one
/// database and one set of Azurite queues. Bodegas upload inventories over HTTP while an AFT- migration runs; both
/// processes take uploads and batches from the shared queues, and nothing is processed twice.
/// </summary>
public sealed partial class ScaleOutTests : IAsyncLifetime
{
    private const int Bodegas = 4;
    private const int UploadsPerBodega = 10;
    // About 36 batches over the 3,574 AFT parts of the scaled set.
    private const int MigrationBatchSize = 100;
    private static readonly string[] WorkerNames = ["scale-a", "scale-b"];
    private static readonly HttpClient Storage = new();

    private readonly ConcurrentBag<HttpClient> _clients = [];
    private TestDatabase _database = null!;
    private NexusStorage _storage = null!;
    private FunctionAppProcess[] _hosts = [];

    private sealed record Bodega(int UserId, HttpClient Client);

    private sealed record PushedUpload(long UploadId, ScaleOutFile File);

    private sealed record UploadAttempts(long IdUpload, int Attempts, string? ProcessedBy);

    public async Task InitializeAsync()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        var shape = DataSetShape.ScaledFull(10_000);
        _database = await TestDatabase.CreateAsync("scaled_10000", ds => DataSetGenerator.SeedAsync(ds, shape, NullLogger.Instance));
        await SnapshotCatalogAsync(_database.DataSource);
        var prefix = NexusApp.NewStoragePrefix();
        _storage = new NexusStorage(Options.Create(new StorageOptions { ConnectionString = TestEnvironment.Storage, NamePrefix = prefix }));

        var app = await FunctionAppProcess.PublishedAppAsync();
        var starting = WorkerNames.Select(name => FunctionAppProcess.StartStandaloneAsync(app, HostSettings(name, prefix))).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            _hosts = [.. starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        foreach (var queue in new[] { NexusStorage.InventoryUploadsQueue, NexusStorage.AftermarketMigrationQueue, NexusStorage.CatalogImportQueue })
        {
            await _storage.Queue(queue).DeleteIfExistsAsync();
            await _storage.Queue(queue + "-poison").DeleteIfExistsAsync();
        }
        await _storage.Container(NexusStorage.UploadsContainer).DeleteIfExistsAsync();
        await _database.DisposeAsync();
    }

    private Dictionary<string, string> HostSettings(string workerName, string prefix) => new()
    {
        ["ConnectionStrings__Postgres"] = _database.ConnectionString,
        ["ConnectionStrings__Storage"] = TestEnvironment.Storage,
        ["Storage__NamePrefix"] = prefix,
        ["Jwt__SigningKey"] = TestEnvironment.JwtSigningKey,
        ["Nexus__WorkerName"] = workerName,
        // One upload and one batch at a time per process: while one process is busy, the next message is the other's.
        ["Queues__BatchSize"] = "1",
        ["Queues__NewBatchThreshold"] = "1",
        ["Queues__MaxPollingInterval"] = "00:00:00.200",
    };

    [Fact]
    public async Task Two_host_processes_share_the_uploads_and_the_migration_batches_and_nothing_is_processed_twice()
    {
        var workers = _hosts.Select((host, i) => WorkerIdOf(host, WorkerNames[i])).ToArray();
        var parts = await UniqueOemNumbersAsync();
        var aftParts = await AftPartIdsAsync(_database.DataSource);
        var admin = await ClientAsync(_hosts[0], Roles.Admin);
        var bodegas = await Task.WhenAll(Enumerable.Range(0, Bodegas).Select(async b =>
        {
            var (userId, token) = await _database.CreateUserAsync(Roles.Bodega);
            var client = Client(_hosts[b % _hosts.Length], token);
            var mapping = await client.PutAsJsonAsync("/api/inventory/mapping",
                new { part_number = "PARTE", price = "PRECIO", stock = "EXISTENCIAS", location = "SUCURSAL" });
            Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
            return new Bodega(userId, client);
        }));

        // The batches are queued first; the uploads then join on their own queue while the run goes on.
        var runId = await PlanOverHttpAsync(admin, MigrationBatchSize);
        var pushed = await Task.WhenAll(bodegas.Select((bodega, b) => PushUploadsAsync(bodega, b, parts)));
        var histories = await Task.WhenAll(bodegas.Select((bodega, b) => WaitForUploadsAsync(bodega, pushed[b].Length)));
        var details = await WaitForRunAsync(admin, runId, TimeSpan.FromMinutes(2));

        // Uploads: each completed once, with exactly its file's counts, by one of the two processes, both of which took some.
        var attempts = await UploadAttemptsAsync();
        var items = histories.SelectMany(h => h).ToDictionary(i => i.GetProperty("upload_id").GetInt64());
        var all = pushed.SelectMany(p => p).ToList();
        Assert.Equal(all.Select(u => u.UploadId).Order(), items.Keys.Order());
        foreach (var (uploadId, file) in all)
        {
            var item = items[uploadId];
            Assert.Equal(("completed", file.Rows, file.ValidParts.Count, file.RejectedRows, 0, 0),
                (item.GetProperty("status").GetString(), item.GetProperty("rows_total").GetInt32(), item.GetProperty("rows_imported").GetInt32(),
                 item.GetProperty("rows_errors").GetInt32(), item.GetProperty("rows_unchanged").GetInt32(), item.GetProperty("duplicates").GetInt32()));
            Assert.Equal(1, attempts[uploadId].Attempts);
        }
        AssertBothWorkersTookSome(workers, attempts.Values.Select(a => a.ProcessedBy), "uploads");

        // The inventory holds every valid row of every file once, and nothing else.
        var expected = bodegas.SelectMany((bodega, b) => pushed[b].SelectMany(u => u.File.ValidParts.Select(part => (bodega.UserId, u.File.Location, part))))
            .Order().ToList();
        Assert.Equal(expected, await InventoryRowsAsync());

        // Migration: every batch completed once, by one of the two processes, both of which took some; every AFT part
        // is one item; no aftermarket row was created twice.
        var run = details.GetProperty("run");
        var batches = details.GetProperty("batches").EnumerateArray().ToList();
        Assert.Equal((RunStatus.Completed, 0, batches.Count, batches.Count),
            (run.GetProperty("status").GetString(), run.GetProperty("failed").GetInt32(), run.GetProperty("batches_total").GetInt32(),
             run.GetProperty("batches_done").GetInt32()));
        Assert.All(batches, batch => Assert.Equal((BatchStatus.Completed, 1),
            (batch.GetProperty("status").GetString(), batch.GetProperty("attempts").GetInt32())));
        AssertBothWorkersTookSome(workers, batches.Select(b => b.GetProperty("processed_by").GetString()), "migration batches");
        await AssertAccountedForOnceAsync(_database.DataSource, runId, aftParts);
        await AssertCatalogAfterRunAsync(_database.DataSource, runId);
        await AssertOnlyTheRunsAftermarketRowsWereAddedAsync(runId);
    }

    private static void AssertBothWorkersTookSome(string[] workers, IEnumerable<string?> processedBy, string what)
    {
        var byWorker = processedBy.GroupBy(w => w ?? "(none)").ToDictionary(g => g.Key, g => g.Count());
        var summary = string.Join(", ", byWorker.Select(w => $"{w.Key}: {w.Value}"));
        Assert.True(byWorker.Keys.All(workers.Contains), $"{what} processed by an unknown worker ({summary})");
        Assert.True(workers.All(byWorker.ContainsKey), $"not every process took {what} ({summary})");
    }

    /// <summary>The identity the process logged at start; it names the process by its id.</summary>
    private static string WorkerIdOf(FunctionAppProcess host, string workerName)
    {
        var started = StartingWorker().Match(host.Output);
        Assert.True(started.Success, $"No 'Starting worker' line in the log of {workerName}:\n{host.Output}");
        var id = started.Groups[1].Value;
        Assert.StartsWith($"{workerName}/{host.ProcessId}/", id);
        return id;
    }

    private async Task<PushedUpload[]> PushUploadsAsync(Bodega bodega, int b, IReadOnlyList<string> parts)
    {
        var pushed = new List<PushedUpload>();
        for (var u = 0; u < UploadsPerBodega; u++)
        {
            var file = ScaleOutFile.Create(b, u, parts);
            // Both ways in: SAS URL + complete, and the spec's multipart upload.
            var uploadId = u % 2 == 0 ? await PushBySasAsync(bodega.Client, file) : await PushMultipartAsync(bodega.Client, file);
            pushed.Add(new PushedUpload(uploadId, file));
        }
        return [.. pushed];
    }

    private static async Task<long> PushBySasAsync(HttpClient client, ScaleOutFile file)
    {
        var requested = await client.PostAsJsonAsync("/api/inventory/uploads", new { filename = file.FileName });
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var ticket = await requested.Content.ReadFromJsonAsync<JsonElement>();
        var uploadId = ticket.GetProperty("upload_id").GetInt64();
        using var put = new HttpRequestMessage(HttpMethod.Put, ticket.GetProperty("upload_url").GetString())
        {
            Content = new ByteArrayContent(file.Content) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } },
        };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using (var stored = await Storage.SendAsync(put))
        {
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }
        var completed = await client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null);
        Assert.True(completed.StatusCode == HttpStatusCode.Accepted, await completed.Content.ReadAsStringAsync());
        return uploadId;
    }

    private static async Task<long> PushMultipartAsync(HttpClient client, ScaleOutFile file)
    {
        var response = await client.PostAsync("/api/inventory/upload", HttpInventoryFixture.FileForm(file.FileName, file.Content));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("upload_id").GetInt64();
    }

    /// <summary>The bodega's upload history once every upload is completed or failed.</summary>
    private async Task<List<JsonElement>> WaitForUploadsAsync(Bodega bodega, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var page = await bodega.Client.GetFromJsonAsync<JsonElement>("/api/inventory/uploads?page_size=100");
            var items = page.GetProperty("items").EnumerateArray().ToList();
            if (items.Count == count && items.All(i => i.GetProperty("status").GetString() is "completed" or "failed"))
            {
                return items;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"Uploads of bodega {bodega.UserId} unfinished after 2 min: {string.Join(", ", items.Select(i => i.GetProperty("status").GetString()))}\n{Logs()}");
            await Task.Delay(200);
        }
    }

    private string Logs() => string.Join("\n", _hosts.Select((host, i) => $"--- {WorkerNames[i]}:\n{string.Join('\n', host.Output.Split('\n').TakeLast(40))}"));

    private async Task<HttpClient> ClientAsync(FunctionAppProcess host, string role) =>
        Client(host, (await _database.CreateUserAsync(role)).AccessToken);

    /// <summary>A client of one of the processes that sends the token.</summary>
    private HttpClient Client(FunctionAppProcess host, string token)
    {
        var client = new HttpClient { BaseAddress = host.Client.BaseAddress }.WithBearer(token);
        _clients.Add(client);
        return client;
    }

    /// <summary>Numbers of OEM parts that no other part shares, so that every row of the files matches exactly one part.</summary>
    private async Task<List<string>> UniqueOemNumbersAsync()
    {
        const string sql = """
            SELECT p.oem_part_number FROM parts p
            WHERE p.oem_part_number NOT LIKE 'AFT-%'
              AND NOT EXISTS (SELECT 1 FROM parts q WHERE q.oem_part_number_norm = p.oem_part_number_norm AND q.id_part <> p.id_part)
            ORDER BY p.id_part
            """;
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(sql)).AsList();
    }

    private async Task<Dictionary<long, UploadAttempts>> UploadAttemptsAsync()
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<UploadAttempts>("SELECT id_upload, attempts, processed_by FROM inventory_uploads"))
            .ToDictionary(u => u.IdUpload);
    }

    private async Task<List<(int UserId, string Location, string Part)>> InventoryRowsAsync()
    {
        const string sql = """
            SELECT w.user_id, w.warehouse_location, p.oem_part_number
            FROM warehouse_inventory w LEFT JOIN parts p ON p.id_part = w.part_id
            """;
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return [.. (await connection.QueryAsync<(int, string, string)>(sql)).Order()];
    }

    /// <summary>aftermarket_parts grew by exactly the rows the run recorded as created (its unique key already rules out twins).</summary>
    private async Task AssertOnlyTheRunsAftermarketRowsWereAddedAsync(long runId)
    {
        const string sql = """
            SELECT (SELECT count(*) FROM aftermarket_parts) - (SELECT count(*) FROM test_aftermarket_before) AS added,
                   (SELECT count(*) FROM aftermarket_migration_created_aftermarket_parts WHERE run_id = @runId) AS created
            """;
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var (added, created) = await connection.QuerySingleAsync<(long, long)>(sql, new { runId });
        Assert.True(created > 0, "The run created no aftermarket rows: nothing was migrated.");
        Assert.Equal(created, added);
    }

    [GeneratedRegex(@"Starting worker (\S+) \(standalone\)")]
    private static partial Regex StartingWorker();
}
