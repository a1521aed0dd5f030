using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Core.Auth;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;
using Nexus.Tests.Queues;

namespace Nexus.Tests.Hostile;

/// <summary>
/// One app over a private database with a small catalog, real Azurite and the real queue listener, for the hostile corpus.
/// Limits are lowered so the refusals cost little: uploads stop at 8 MB (the 100 MB cell is refused after 8 MB of it),
/// a CSV record at 64 KB, data rows at 100,000, an xlsx at 64 MB uncompressed. The queue polls every 0.5 s at most and
/// gives a message two attempts, so a crash in the queue function shows as a poisoned upload within seconds.
/// </summary>
public sealed class HostileFixture : IAsyncLifetime
{
    public const long MaxUploadBytes = 8L * 1024 * 1024;
    public const int MaxRecordBytes = 64 * 1024;
    public const int MaxRows = 100_000;
    public const long MaxXlsxUncompressedBytes = 64L * 1024 * 1024;

    /// <summary>Headers of the mapping every corpus bodega has saved.</summary>
    public static readonly string[] Headers = ["PARTE", "PRECIO", "EXISTENCIAS", "SUCURSAL", "MINIMO", "MARCA"];

    // Parts 1..3 OEM (Toyota, Bosch); aftermarket GT-100 (Gates) for part 1.
    private const string CatalogSql = """
        INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES (1, 'Bosch'), (2, 'Toyota'), (3, 'Gates');
        INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture) VALUES
            (1, 'ABC-123', 'Filtro de aceite', 2),
            (2, 'XYZ 789', 'Balata delantera', 2),
            (3, '0 986 AB2 854', 'Bomba de agua', 1);
        INSERT INTO aftermarket_parts (id_aftermarket_parts, oem_part_id, manufacturer_id, part_number, name_aftermarket_parts) VALUES
            (1, 1, 3, 'GT-100', 'Filtro Gates');
        """;

    public TestDatabase Database { get; private set; } = null!;
    public NexusApp App { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        await Database.DataSource.CreateCommand(CatalogSql).ExecuteNonQueryAsync();
        App = new NexusApp(Database, new Dictionary<string, string?>
        {
            ["Inventory:MaxUploadBytes"] = MaxUploadBytes.ToString(),
            ["Inventory:MaxRecordBytes"] = MaxRecordBytes.ToString(),
            ["Inventory:MaxRows"] = MaxRows.ToString(),
            ["Inventory:MaxXlsxUncompressedBytes"] = MaxXlsxUncompressedBytes.ToString(),
            ["Queues:MaxPollingInterval"] = "00:00:00.5",
            ["Queues:MaxDequeueCount"] = "2",
            ["Queues:VisibilityTimeout"] = "00:00:01",
        }, testServices: services => services.AddSingleton<ILoggerProvider>(Logs));
        App.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }

    public NexusStorage Storage => App.Services.GetRequiredService<NexusStorage>();

    /// <summary>A fresh bodega with the corpus mapping saved and two items in stock, and a client sending its token.</summary>
    public async Task<(TestUser User, HttpClient Client)> BodegaAsync()
    {
        var user = await App.CreateUserAsync(Roles.Bodega);
        var client = App.CreateClient().WithBearer(user.AccessToken);
        var mapping = await client.PutAsJsonAsync("/api/inventory/mapping", new
        {
            part_number = "PARTE", price = "PRECIO", stock = "EXISTENCIAS", location = "SUCURSAL", min_order_quantity = "MINIMO", brand = "MARCA",
        });
        Assert.Equal(HttpStatusCode.OK, mapping.StatusCode);
        const string seed = """
            INSERT INTO warehouse_inventory (user_id, part_id, aftermarket_part_id, price, stock_quantity, warehouse_location) VALUES
                (@userId, 1, NULL, 100.00, 5, 'Centro'),
                (@userId, NULL, 1, 50.00, 2, 'Norte')
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(seed, new { userId = user.Id });
        return (user, client);
    }

    public HttpClient AnonymousClient() => App.CreateClient();

    public Task<TestUser> UserAsync(string role) => App.CreateUserAsync(role);
}
