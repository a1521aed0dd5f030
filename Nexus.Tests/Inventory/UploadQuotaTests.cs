using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>
/// Per-bodega bounds on uploads (ASVS 5.2.4, 2.4.1): uploads in flight at once, uploads requested per hour, and mapping
/// previews per minute, each a 429 problem with Retry-After that records and stores nothing. Small limits of its own app.
/// </summary>
public sealed class UploadQuotaTests : IAsyncLifetime
{
    private const int MaxActive = 2;
    private const int MaxPerHour = 4;
    private const int MaxPreviews = 3;
    private const string Csv = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL\nABC-123,450.00,12,Centro\n";

    private TestDatabase _database = null!;
    private NexusApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new NexusApp(_database, new Dictionary<string, string?>
        {
            ["Inventory:MaxActiveUploads"] = MaxActive.ToString(),
            ["Inventory:MaxUploadsPerHour"] = MaxPerHour.ToString(),
            ["Inventory:MaxPreviewsPerMinute"] = MaxPreviews.ToString(),
        });
        _app.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<(TestUser User, HttpClient Client)> BodegaAsync()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        var client = _app.CreateClient().WithBearer(user.AccessToken);
        var mapping = await client.PutAsJsonAsync("/api/inventory/mapping", new { part_number = "PARTE", price = "PRECIO", stock = "EXISTENCIAS", location = "SUCURSAL" });
        Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
        return (user, client);
    }

    private static Task<HttpResponseMessage> RequestTicketAsync(HttpClient client) =>
        client.PostAsJsonAsync("/api/inventory/uploads", new { filename = "existencias.csv" });

    private static Task<HttpResponseMessage> MultipartAsync(HttpClient client)
    {
        var form = HttpInventoryFixture.FileForm("existencias.csv", Encoding.UTF8.GetBytes(Csv));
        return client.PostAsync("/api/inventory/upload", form);
    }

    private async Task<long> UploadsOfAsync(int userId)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM inventory_uploads WHERE user_id = @userId", new { userId });
    }

    private async Task SqlAsync(string sql, object parameters)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private static async Task AssertQuotaProblemAsync(HttpResponseMessage response, string title)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Contains(title, problem["title"]!.GetValue<string>());
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After: {response.Headers.RetryAfter}");
    }

    [Fact]
    public async Task A_bodega_with_the_maximum_in_flight_is_refused_until_one_finishes_and_other_bodegas_go_on()
    {
        var (bodega, client) = await BodegaAsync();
        Assert.Equal(HttpStatusCode.Created, (await RequestTicketAsync(client)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await RequestTicketAsync(client)).StatusCode);

        await AssertQuotaProblemAsync(await RequestTicketAsync(client), "Too many uploads in progress");
        await AssertQuotaProblemAsync(await MultipartAsync(client), "Too many uploads in progress");
        Assert.Equal(MaxActive, await UploadsOfAsync(bodega.Id));
        var (_, other) = await BodegaAsync();
        Assert.Equal(HttpStatusCode.Created, (await RequestTicketAsync(other)).StatusCode);

        // One finishes: a slot is free again. A ticket never used for longer than the window stops counting too.
        await SqlAsync("""
            UPDATE inventory_uploads SET status = 'completed', completed_at = now()
            WHERE id_upload = (SELECT min(id_upload) FROM inventory_uploads WHERE user_id = @Id)
            """, new { bodega.Id });
        Assert.Equal(HttpStatusCode.Created, (await RequestTicketAsync(client)).StatusCode);
        await AssertQuotaProblemAsync(await RequestTicketAsync(client), "Too many uploads in progress");
        await SqlAsync("UPDATE inventory_uploads SET created_at = now() - interval '2 hours' WHERE user_id = @Id AND status = 'pending'", new { bodega.Id });
        Assert.Equal(HttpStatusCode.Accepted, (await MultipartAsync(client)).StatusCode);
    }

    [Fact]
    public async Task A_bodega_that_requested_the_hourly_maximum_is_refused_whatever_became_of_them()
    {
        var (bodega, client) = await BodegaAsync();
        for (var i = 0; i < MaxPerHour; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await RequestTicketAsync(client)).StatusCode);
            await SqlAsync("UPDATE inventory_uploads SET status = 'failed' WHERE user_id = @Id", new { bodega.Id });
        }

        var refused = await RequestTicketAsync(client);

        await AssertQuotaProblemAsync(refused, "Too many uploads");
        Assert.True(refused.Headers.RetryAfter!.Delta!.Value <= TimeSpan.FromHours(1));
        await AssertQuotaProblemAsync(await MultipartAsync(client), "Too many uploads");
        Assert.Equal(MaxPerHour, await UploadsOfAsync(bodega.Id));
        // An hour later the oldest ones no longer count.
        await SqlAsync("UPDATE inventory_uploads SET created_at = created_at - interval '61 minutes' WHERE user_id = @Id", new { bodega.Id });
        Assert.Equal(HttpStatusCode.Created, (await RequestTicketAsync(client)).StatusCode);
    }

    [Fact]
    public async Task Mapping_previews_are_limited_per_user_and_minute()
    {
        var (_, client) = await BodegaAsync();
        for (var i = 0; i < MaxPreviews; i++)
        {
            using var form = HttpInventoryFixture.FileForm("muestra.csv", Encoding.UTF8.GetBytes(Csv));
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/inventory/mapping/preview", form)).StatusCode);
        }

        using var extra = HttpInventoryFixture.FileForm("muestra.csv", Encoding.UTF8.GetBytes(Csv));
        var refused = await client.PostAsync("/api/inventory/mapping/preview", extra);

        await AssertQuotaProblemAsync(refused, "Too many previews");
        var (_, other) = await BodegaAsync();
        using var form2 = HttpInventoryFixture.FileForm("muestra.csv", Encoding.UTF8.GetBytes(Csv));
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsync("/api/inventory/mapping/preview", form2)).StatusCode);
    }
}
