using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Core.Inventory;
using Nexus.Tests.Deployment;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>
/// The host process SIGKILLed while it processes an upload, then started again: the upload completes exactly once.
/// The import is held at the bodega's inventory lock (taken by the test) so that the kill lands mid-upload, after the
/// claim and the staging, without any timing.
/// </summary>
public sealed class InventoryHostKillTests : IAsyncLifetime
{
    private const int Parts = 3_000;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await _database.DataSource.CreateCommand($"""
            INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES (1, 'Bosch');
            INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture)
            SELECT i, 'K' || lpad(i::text, 5, '0'), 'Parte ' || i, 1 FROM generate_series(1, {Parts}) i;
            """).ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_host_killed_mid_upload_and_restarted_completes_the_upload_exactly_once()
    {
        var (userId, token) = await _database.CreateUserAsync(Roles.Bodega);
        var app = await FunctionAppProcess.PublishedAppAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = _database.ConnectionString,
            ["ConnectionStrings__Storage"] = TestEnvironment.Storage,
            ["Storage__NamePrefix"] = NexusApp.NewStoragePrefix(),
            ["Jwt__SigningKey"] = TestEnvironment.JwtSigningKey,
            ["Queues__VisibilityTimeout"] = "00:00:00",
            ["Queues__MaxPollingInterval"] = "00:00:00.200",
            ["Queues__LeaseDuration"] = "00:00:02",
            ["Queues__RenewInterval"] = "00:00:00.500",
            ["Inventory__ClaimTimeout"] = "00:00:02",
            ["Inventory__HeartbeatInterval"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
        };

        // Every part once at Centro, 50 unknown numbers, and every 100th part repeated at the end with a new price (last wins).
        var csv = new StringBuilder("PARTE,PRECIO,EXISTENCIAS,SUCURSAL\n");
        for (var i = 1; i <= Parts; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"K{i:00000},{i}.50,{i % 7},Centro\n");
        }
        for (var i = 1; i <= 50; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"NOPE-{i},1,1,Centro\n");
        }
        for (var i = 100; i <= Parts; i += 100)
        {
            csv.Append(CultureInfo.InvariantCulture, $"K{i:00000},{i}.99,1,Centro\n");
        }

        await using var holder = await _database.DataSource.OpenConnectionAsync();
        await holder.ExecuteAsync("SELECT pg_advisory_lock(@lockClass, @userId)", new { lockClass = InventoryApply.InventoryLockClass, userId });
        long uploadId;
        await using (var doomed = await FunctionAppProcess.StartStandaloneAsync(app, settings))
        {
            doomed.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var mapping = await doomed.Client.PutAsJsonAsync("/api/inventory/mapping", new { part_number = "PARTE", price = "PRECIO", stock = "EXISTENCIAS", location = "SUCURSAL" });
            Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
            using var form = HttpInventoryFixture.FileForm("existencias.csv", Encoding.UTF8.GetBytes(csv.ToString()));
            var accepted = await doomed.Client.PostAsync("/api/inventory/upload", form);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            uploadId = (await accepted.JsonAsync())["upload_id"]!.GetValue<long>();

            await WaitForImportAtTheLockAsync(holder, uploadId);
            await doomed.KillAsync();
        }
        await holder.ExecuteAsync("SELECT pg_advisory_unlock(@lockClass, @userId)", new { lockClass = InventoryApply.InventoryLockClass, userId });

        await using var restarted = await FunctionAppProcess.StartStandaloneAsync(app, settings);
        restarted.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var upload = await WaitForUploadAsync(restarted.Client, uploadId);

        Assert.Equal(("completed", Parts, 50, Parts / 100),
            (upload["status"]!.GetValue<string>(), upload["rows_imported"]!.GetValue<int>(), upload["rows_errors"]!.GetValue<int>(), upload["duplicates"]!.GetValue<int>()));
        await using var check = await _database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await check.ExecuteScalarAsync<int>("SELECT attempts FROM inventory_uploads WHERE id_upload = @uploadId", new { uploadId }));
        var (rows, wrong) = await check.QuerySingleAsync<(long, long)>("""
            SELECT count(*),
                   count(*) FILTER (WHERE wi.warehouse_location <> 'Centro' OR wi.aftermarket_part_id IS NOT NULL
                                       OR wi.price <> wi.part_id + CASE WHEN wi.part_id % 100 = 0 THEN 0.99 ELSE 0.50 END)
            FROM warehouse_inventory wi WHERE wi.user_id = @userId
            """, new { userId });
        Assert.Equal((Parts, 0L), (rows, wrong));
    }

    /// <summary>The host's import is staged and waits for the bodega's inventory lock, its claim held and beating.</summary>
    private async Task WaitForImportAtTheLockAsync(Npgsql.NpgsqlConnection observer, long uploadId)
    {
        for (var i = 0; i < 600; i++)
        {
            var waiting = await observer.ExecuteScalarAsync<bool>("""
                SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory')
                   AND EXISTS (SELECT FROM inventory_uploads WHERE id_upload = @uploadId AND status = 'processing')
                """, new { uploadId });
            if (waiting)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Upload {uploadId} never reached the inventory lock.");
    }

    private static async Task<JsonObject> WaitForUploadAsync(HttpClient client, long uploadId)
    {
        for (var i = 0; i < 600; i++)
        {
            var upload = await (await client.GetAsync($"/api/inventory/uploads/{uploadId}")).JsonAsync();
            if (upload["status"]!.GetValue<string>() is "completed" or "failed")
            {
                return upload;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Upload {uploadId} did not finish within 60 s of the restart.");
    }
}
