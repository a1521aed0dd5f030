using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Auth;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>
/// Inventory uploads through the real host's queue listener and Azurite under at-least-once delivery: a duplicate message
/// while the upload is being processed, and a message that fails on every attempt. Retries are immediate and a message is
/// poisoned after 2 attempts, far sooner than a claim (2 min) goes stale.
/// </summary>
public sealed class InventoryQueueDeliveryTests : IAsyncLifetime
{
    private const string Csv = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL\nABC-123,450.00,12,Centro\nXYZ 789,99.5,3,Norte\nNOPE-1,10,1,Centro\n";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Queues:MaxDequeueCount"] = "2",
        ["Queues:VisibilityTimeout"] = "00:00:00",
        ["Queues:MaxPollingInterval"] = "00:00:00.200",
        ["Queues:LeaseDuration"] = "00:00:05",
        ["Queues:RenewInterval"] = "00:00:01",
        ["Inventory:HeartbeatInterval"] = "00:00:00.200",
    };

    private TestDatabase _database = null!;
    private NexusApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await _database.DataSource.CreateCommand("""
            INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES (1, 'Bosch'), (2, 'Toyota');
            INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture) VALUES
                (1, 'ABC-123', 'Filtro de aceite', 2), (2, 'XYZ 789', 'Balata delantera', 2);
            """).ExecuteNonQueryAsync();
        _app = new NexusApp(_database, Settings);
        _app.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_duplicate_message_during_processing_neither_fails_the_upload_nor_imports_it_twice()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Processor.StageReached = async (stage, _) =>
        {
            if (stage == InventoryImportStage.Staged && entered.TrySetResult())
            {
                await release.Task;
            }
        };
        var (userId, client) = await BodegaAsync();
        var uploadId = await UploadAsync(client);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var blobName = await BlobNameAsync(uploadId);
        var storage = _app.Services.GetRequiredService<NexusStorage>();
        var duplicate = BlobCreatedMessage.Create(storage.Blobs.Uri.ToString(), storage.Name(NexusStorage.UploadsContainer), blobName, null, Csv.Length);
        await storage.SendAsync(NexusStorage.InventoryUploadsQueue, duplicate, CancellationToken.None);
        // Long enough for both attempts of the duplicate (retried at once) to have run and given up, had it not waited.
        for (var i = 0; i < 20 && await StatusAsync(uploadId) == "processing"; i++)
        {
            await Task.Delay(100);
        }
        release.SetResult();

        var upload = await HttpInventoryFixture.WaitForUploadAsync(client, uploadId);
        Assert.Equal("completed", upload["status"]!.GetValue<string>());
        Assert.Equal((2, 1), (upload["rows_imported"]!.GetValue<int>(), upload["rows_errors"]!.GetValue<int>()));
        await WaitForEmptyQueueAsync(storage, NexusStorage.InventoryUploadsQueue);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT attempts FROM inventory_uploads WHERE id_upload = @uploadId", new { uploadId }));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM warehouse_inventory WHERE user_id = @userId", new { userId }));
        Assert.Equal(0, await MessageCountAsync(storage, NexusStorage.InventoryUploadsQueue + "-poison"));
    }

    [Fact]
    public async Task A_message_that_fails_on_every_attempt_is_poisoned_and_fails_the_upload_leaving_the_inventory_alone()
    {
        Processor.StageReached = (stage, _) => stage == InventoryImportStage.BeforeCommit ? throw new IOException("disk on fire") : Task.CompletedTask;
        var (userId, client) = await BodegaAsync();
        var uploadId = await UploadAsync(client);

        var upload = await HttpInventoryFixture.WaitForUploadAsync(client, uploadId);
        Assert.Equal("failed", upload["status"]!.GetValue<string>());
        Assert.Contains("varios intentos", upload["error_log"]!.GetValue<string>());
        var storage = _app.Services.GetRequiredService<NexusStorage>();
        Assert.Equal(1, await MessageCountAsync(storage, NexusStorage.InventoryUploadsQueue + "-poison"));
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT attempts FROM inventory_uploads WHERE id_upload = @uploadId", new { uploadId }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM warehouse_inventory WHERE user_id = @userId", new { userId }));
    }

    private InventoryUploadProcessor Processor => _app.Services.GetRequiredService<InventoryUploadProcessor>();

    private async Task<(int UserId, HttpClient Client)> BodegaAsync()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        var client = _app.CreateClient().WithBearer(user.AccessToken);
        var mapping = await client.PutAsJsonAsync("/api/inventory/mapping", new { part_number = "PARTE", price = "PRECIO", stock = "EXISTENCIAS", location = "SUCURSAL" });
        Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
        return (user.Id, client);
    }

    private static async Task<long> UploadAsync(HttpClient client)
    {
        using var form = HttpInventoryFixture.FileForm("existencias.csv", Encoding.UTF8.GetBytes(Csv));
        var response = await client.PostAsync("/api/inventory/upload", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync())["upload_id"]!.GetValue<long>();
    }

    private async Task<string> BlobNameAsync(long uploadId)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT blob_name FROM inventory_uploads WHERE id_upload = @uploadId", new { uploadId }) ?? "";
    }

    private async Task<string?> StatusAsync(long uploadId)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>("SELECT status FROM inventory_uploads WHERE id_upload = @uploadId", new { uploadId });
    }

    private static async Task<int> MessageCountAsync(NexusStorage storage, string queue) =>
        (await storage.Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>Every message, the duplicate included, settled (deleted) by the listener.</summary>
    private static async Task WaitForEmptyQueueAsync(NexusStorage storage, string queue)
    {
        for (var i = 0; i < 300 && await MessageCountAsync(storage, queue) > 0; i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, await MessageCountAsync(storage, queue));
    }
}
