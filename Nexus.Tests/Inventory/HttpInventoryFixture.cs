using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>
/// One app over a private database with a small catalog, real Azurite and the real queue listener, shared by the inventory
/// HTTP tests. Limits are small so the 413 paths need only kilobytes.
/// </summary>
public sealed class HttpInventoryFixture : IAsyncLifetime
{
    public const long MaxUploadBytes = 64 * 1024;
    public const long MaxPreviewBytes = 16 * 1024;

    public TestDatabase Database { get; private set; } = null!;
    public NexusApp App { get; private set; } = null!;

    // Parts 1..5 OEM; aftermarket GT-100 and GT-200 (Gates) and BR-9 (Fricción Pérez) are alternatives of part 1.
    private const string CatalogSql = """
        INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES (1, 'Bosch'), (2, 'Toyota'), (3, 'Gates'), (4, 'Fricción Pérez');
        INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture) VALUES
            (1, 'ABC-123', 'Filtro de aceite', 2),
            (2, 'XYZ 789', 'Balata delantera', 2),
            (3, '0 986 AB2 854', 'Bomba de agua', 1),
            (4, 'ABD-555', 'Amortiguador trasero', 2),
            (5, 'K/55.1', 'Banda de distribución', 2);
        INSERT INTO aftermarket_parts (id_aftermarket_parts, oem_part_id, manufacturer_id, part_number, name_aftermarket_parts) VALUES
            (1, 1, 3, 'GT-100', 'Filtro Gates'),
            (2, 1, 3, 'GT-200', 'Filtro Gates premium'),
            (3, 1, 4, 'BR-9', 'Filtro Fricción Pérez'),
            (4, 2, 3, 'GT-300', 'Balata Gates');
        """;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        await Database.DataSource.CreateCommand(CatalogSql).ExecuteNonQueryAsync();
        App = new NexusApp(Database, new Dictionary<string, string?>
        {
            ["Inventory:MaxUploadBytes"] = MaxUploadBytes.ToString(),
            ["Inventory:MaxPreviewBytes"] = MaxPreviewBytes.ToString(),
            ["Inventory:PreviewRows"] = "5",
        });
        App.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A fresh active bodega with a client that sends its token.</summary>
    public async Task<(TestUser User, HttpClient Client)> BodegaAsync(string? businessName = null)
    {
        var user = await App.CreateUserAsync(Roles.Bodega);
        if (businessName is not null)
        {
            await using var connection = await Database.DataSource.OpenConnectionAsync();
            await connection.ExecuteAsync("UPDATE users SET business_name = @businessName WHERE id_user = @id", new { businessName, id = user.Id });
        }
        return (user, App.CreateClient().WithBearer(user.AccessToken));
    }

    /// <summary>A bodega whose mapping (PARTE, PRECIO, EXISTENCIAS, SUCURSAL) is saved.</summary>
    public async Task<(TestUser User, HttpClient Client)> BodegaWithMappingAsync()
    {
        var bodega = await BodegaAsync();
        var response = await bodega.Client.PutAsJsonAsync("/api/inventory/mapping",
            new { part_number = "PARTE", price = "PRECIO", stock = "EXISTENCIAS", location = "SUCURSAL" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return bodega;
    }

    public static MultipartFormDataContent FileForm(string fileName, byte[] content, params (string Name, string Value)[] fieldsBefore)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fieldsBefore)
        {
            form.Add(new StringContent(value, Encoding.UTF8), name);
        }
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        return form;
    }

    /// <summary>Polls the upload until the queue function has finished it.</summary>
    public static async Task<JsonObject> WaitForUploadAsync(HttpClient client, long uploadId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var upload = await (await client.GetAsync($"/api/inventory/uploads/{uploadId}")).JsonAsync();
            if (upload["status"]!.GetValue<string>() is "completed" or "failed")
            {
                return upload;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Upload {uploadId} still {upload["status"]} after 60 s");
            await Task.Delay(200);
        }
    }

    public async Task InsertItemsAsync(int userId, params (int? PartId, int? AftermarketPartId, decimal Price, int Stock, string Location)[] items)
    {
        const string sql = """
            INSERT INTO warehouse_inventory (user_id, part_id, aftermarket_part_id, price, stock_quantity, warehouse_location)
            VALUES (@userId, @PartId, @AftermarketPartId, @Price, @Stock, @Location)
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        foreach (var item in items)
        {
            await connection.ExecuteAsync(sql, new { userId, item.PartId, item.AftermarketPartId, item.Price, item.Stock, item.Location });
        }
    }
}
