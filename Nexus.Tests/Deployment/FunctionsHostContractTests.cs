using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Core.Aftermarket;
using Nexus.Core.CatalogImport;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using Nexus.Tests.Aftermarket;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Deployment;

/// <summary>The published handler, started as the Functions host starts it, on a private database and Azurite prefix.</summary>
public sealed class PublishedHandlerFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public AftermarketCatalog Catalog { get; private set; } = null!;
    public NexusStorage Storage { get; private set; } = null!;
    public FunctionAppProcess Handler { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        Database = await TestDatabase.CreateAsync();
        Catalog = await AftermarketCatalog.CreateAsync(Database.DataSource);
        var prefix = $"f{Guid.NewGuid():N}"[..9] + "-";
        Storage = new NexusStorage(Options.Create(new StorageOptions { ConnectionString = TestEnvironment.Storage, NamePrefix = prefix }));
        var app = await FunctionAppProcess.PublishedAppAsync();
        Handler = await FunctionAppProcess.StartAsync(app, new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = Database.ConnectionString,
            ["ConnectionStrings__Storage"] = TestEnvironment.Storage,
            ["Storage__NamePrefix"] = prefix,
            ["Jwt__SigningKey"] = TestEnvironment.JwtSigningKey,
        });
    }

    public async Task DisposeAsync()
    {
        await Handler.DisposeAsync();
        foreach (var queue in new[] { NexusStorage.InventoryUploadsQueue, NexusStorage.AftermarketMigrationQueue, NexusStorage.CatalogImportQueue })
        {
            await Storage.Queue(queue).DeleteIfExistsAsync();
            await Storage.Queue(queue + "-poison").DeleteIfExistsAsync();
        }
        await Storage.Container(NexusStorage.UploadsContainer).DeleteIfExistsAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// The Azure Functions host's side of the custom-handler contract, played against the published app folder:
/// HTTP requests forwarded with their original path, and queue invocations POSTed to /{FunctionName}.
/// </summary>
public sealed class FunctionsHostContractTests(PublishedHandlerFixture fx) : IClassFixture<PublishedHandlerFixture>
{
    private static readonly InventoryColumnMapping Mapping = new() { PartNumber = "PARTE", Price = "PRECIO", Stock = "EXISTENCIAS" };

    [Fact]
    public async Task Forwarded_http_requests_reach_the_api_with_their_original_path()
    {
        using var health = await fx.Handler.Client.GetAsync("/api/health");
        using var search = await fx.Handler.Client.GetAsync("/api/parts/search?q=0986-ab2");
        using var missing = await fx.Handler.Client.GetAsync("/api/no-such-route");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"healthy\"", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Contains("0986AB2854", await search.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>How the BlobCreated event may arrive in Data.message: the host decodes host.json's encoding, passes
    /// JSON as an object or as a string, double-encodes strings, and Event Grid has written base64 bodies too.</summary>
    public static TheoryData<string> MessageShapes => new() { "object", "string", "double-encoded", "base64" };

    [Theory]
    [MemberData(nameof(MessageShapes))]
    public async Task An_InventoryUpload_invocation_imports_the_blob_and_answers_the_host_shape(string shape)
    {
        var bodega = await CreateBodegaAsync();
        var uploads = new InventoryUploads(fx.Database.DataSource);
        var (uploadId, blobName) = await uploads.CreateAsync(bodega, "inventario.csv", "merge", Mapping, CancellationToken.None);
        var container = fx.Storage.Container(NexusStorage.UploadsContainer);
        var blob = container.GetBlobClient(blobName);
        var uploaded = await blob.UploadAsync(new BinaryData("PARTE,PRECIO,EXISTENCIAS\nOEM-2,150.50,4\nOEM-3,99,1\nNOPE-9,1,1\n"));
        var eventJson = BlobCreatedMessage.Create(fx.Storage.Blobs.Uri.ToString(), container.Name, blobName, uploaded.Value.ETag.ToString(), 60);
        object message = shape switch
        {
            "object" => JsonDocument.Parse(eventJson).RootElement,
            "string" => eventJson,
            "double-encoded" => JsonSerializer.Serialize(eventJson),
            _ => Convert.ToBase64String(Encoding.UTF8.GetBytes(eventJson)),
        };

        using var response = await InvokeAsync("InventoryUpload", message, dequeueCount: 1);

        await AssertHostResultAsync(response);
        await using var connection = await fx.Database.DataSource.OpenConnectionAsync();
        var upload = await connection.QuerySingleAsync<(string Status, int RowsImported, int RowsErrors)>(
            "SELECT status, rows_imported, rows_errors FROM inventory_uploads WHERE id_upload = @uploadId", new { uploadId });
        Assert.Equal(("completed", 2, 1), upload);
        var stock = await connection.QueryAsync<(int PartId, decimal Price, int StockQuantity)>(
            "SELECT part_id, price, stock_quantity FROM warehouse_inventory WHERE user_id = @bodega ORDER BY part_id", new { bodega });
        Assert.Equal([(fx.Catalog["O2"], 150.50m, 4), (fx.Catalog["O3"], 99m, 1)], stock);
    }

    [Fact]
    public async Task AftermarketMigrationBatch_invocations_run_every_batch_once_even_when_the_host_redelivers()
    {
        var queue = new AftermarketMigrationQueue(fx.Storage);
        var planner = new AftermarketMigrationPlanner(fx.Database.DataSource, queue, NullLogger<AftermarketMigrationPlanner>.Instance);
        var run = await planner.PlanAsync(dryRun: false, batchSize: 4, createdBy: null, CancellationToken.None);
        Assert.True(run.BatchesTotal > 1);

        for (var batchNo = 1; batchNo <= run.BatchesTotal; batchNo++)
        {
            var body = JsonSerializer.Serialize(new MigrationBatchMessage(run.Id, batchNo), AftermarketMigrationQueue.Json);
            using var response = await InvokeAsync("AftermarketMigrationBatch", JsonSerializer.Serialize(body), dequeueCount: 1);
            await AssertHostResultAsync(response);
        }
        var finished = (await new AftermarketMigrationQueries(fx.Database.DataSource).GetRunAsync(run.Id, CancellationToken.None))!;
        var redelivered = JsonSerializer.Serialize(new MigrationBatchMessage(run.Id, 1), AftermarketMigrationQueue.Json);
        using var again = await InvokeAsync("AftermarketMigrationBatch", redelivered, dequeueCount: 2);
        var afterRedelivery = (await new AftermarketMigrationQueries(fx.Database.DataSource).GetRunAsync(run.Id, CancellationToken.None))!;

        Assert.Equal(RunStatus.Completed, finished.Run.Status);
        Assert.Equal((AftermarketCatalog.AftKeys.Length, AftermarketCatalog.MigratedKeys.Length, AftermarketCatalog.UnresolvedKeys.Length),
            (finished.Run.Total, finished.Run.Migrated, finished.Run.Unresolved));
        Assert.All(finished.Batches, b => Assert.Equal((BatchStatus.Completed, 1), (b.Status, b.Attempts)));
        await AssertHostResultAsync(again);
        Assert.Equal(finished.Run, afterRedelivery.Run);
        Assert.Equal(run.BatchesTotal, afterRedelivery.Run.BatchesDone);
    }

    [Fact]
    public async Task A_CatalogImport_invocation_imports_the_feed_and_a_redelivery_changes_nothing()
    {
        var admin = await CreateBodegaAsync();
        var (importId, blobName) = await new CatalogImports(fx.Database.DataSource).CreateAsync(admin, "articulos.csv", CancellationToken.None);
        var container = fx.Storage.Container(NexusStorage.UploadsContainer);
        // Filtros: O3 is the only part of that category, so the vehicle link cannot change what the AFT- migration resolves.
        var uploaded = await container.GetBlobClient(blobName).UploadAsync(new BinaryData(
            "proveedor,numero_articulo,nombre,categoria,numeros_oem,vehiculos\npartquip,PQ-9,Filtro PARTQUIP,Filtros,OEM-3|AFT-AC191-PARTQUIP,5\n"));
        var eventJson = BlobCreatedMessage.Create(fx.Storage.Blobs.Uri.ToString(), container.Name, blobName, uploaded.Value.ETag.ToString(), 120);

        using var response = await InvokeAsync("CatalogImport", eventJson, dequeueCount: 1);

        await AssertHostResultAsync(response);
        await using var connection = await fx.Database.DataSource.OpenConnectionAsync();
        const string importSql = """
            SELECT status, rows_imported, aftermarket_created, vehicle_links_created, problem_counts::text
            FROM catalog_imports WHERE id_import = @importId
            """;
        var import = await connection.QuerySingleAsync<(string Status, int RowsImported, int AftermarketCreated, int VehicleLinksCreated, string ProblemCounts)>(
            importSql, new { importId });
        Assert.Equal(("completed", 1, 1, 1, """{"unknown_oem": 1}"""), import);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM aftermarket_parts WHERE oem_part_id = @o3 AND part_number = 'PQ-9' AND manufacturer_id = @partquip",
            new { o3 = fx.Catalog["O3"], partquip = fx.Catalog["m:PARTQUIP"] }));

        using var again = await InvokeAsync("CatalogImport", JsonSerializer.Serialize(eventJson), dequeueCount: 2);

        await AssertHostResultAsync(again);
        Assert.Equal(import, await connection.QuerySingleAsync<(string, int, int, int, string)>(importSql, new { importId }));
    }

    [Fact]
    public async Task A_failing_invocation_answers_a_non_2xx_so_the_host_retries()
    {
        var notABatch = JsonSerializer.Serialize("""{"run_id":0}""");

        using var response = await InvokeAsync("AftermarketMigrationBatch", notABatch, dequeueCount: 1);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The envelope the host POSTs for a queue trigger (string metadata double-encoded, *Trigger keys dropped).</summary>
    private Task<HttpResponseMessage> InvokeAsync(string function, object message, int dequeueCount)
    {
        var envelope = new
        {
            Data = new Dictionary<string, object> { ["message"] = message },
            Metadata = new Dictionary<string, object>
            {
                ["DequeueCount"] = dequeueCount,
                ["Id"] = JsonSerializer.Serialize(Guid.NewGuid().ToString()),
                ["InsertionTime"] = JsonSerializer.Serialize(DateTimeOffset.UtcNow.ToString("O")),
                ["ExpirationTime"] = JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddDays(7).ToString("O")),
                ["NextVisibleTime"] = JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddMinutes(10).ToString("O")),
                ["PopReceipt"] = JsonSerializer.Serialize("AgAAAAMAAAAAAAAA"),
                ["sys"] = new { MethodName = function, UtcNow = DateTimeOffset.UtcNow, RandGuid = Guid.NewGuid() },
            },
        };
        var content = new StringContent(JsonSerializer.Serialize(envelope), Encoding.UTF8, "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + function) { Content = content };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        return fx.Handler.Client.SendAsync(request);
    }

    private async Task AssertHostResultAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body}\n{fx.Handler.Output}");
        using var result = JsonDocument.Parse(body);
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], result.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Object, result.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, result.RootElement.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("ReturnValue").ValueKind);
    }

    private async Task<int> CreateBodegaAsync()
    {
        await using var connection = await fx.Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>("""
            INSERT INTO users (name_user, email, pass, id_rol, business_name, is_active)
            VALUES ('Bodega', @email, 'x', 4, 'Bodega', true) RETURNING id_user
            """, new { email = $"{Guid.NewGuid():N}@test.mx" });
    }
}
