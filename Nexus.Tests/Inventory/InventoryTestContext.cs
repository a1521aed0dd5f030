using System.Text;
using Azure.Storage.Blobs;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using Nexus.Core.Workers;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

public sealed record UploadRow(long IdUpload, string Status, int? RowsTotal, int? RowsImported, int? RowsErrors, int? RowsUnchanged,
    int? Duplicates, int? RowsDeleted, int RowsProcessed, string? ErrorLog, int Attempts, string? ProcessedBy);

public sealed record ItemRow(int? PartId, int? AftermarketPartId, decimal Price, int StockQuantity, int MinOrderQuantity, string WarehouseLocation, long Xmin, DateTime UpdatedAt);

public sealed class ErrorRow
{
    public int RowNumber { get; init; }
    public string Kind { get; init; } = "";
    public string Reason { get; init; } = "";
    public string[] RawValues { get; init; } = [];
}

/// <summary>
/// A private database with a small catalog, a private uploads container in Azurite, and the real processor:
/// tests upload a blob and call the processor as the queue function would.
/// </summary>
public sealed class InventoryTestContext : IAsyncLifetime
{
    static InventoryTestContext() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public TestDatabase Database { get; private set; } = null!;
    public NexusStorage Storage { get; private set; } = null!;
    public InventoryUploads Uploads { get; private set; } = null!;
    public InventoryOptions Options { get; } = new() { ProgressEveryRows = 100 };
    public WorkerIdentity Worker { get; } = WorkerIdentity.ForThisProcess("inventory-test");

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Storage = new NexusStorage(Microsoft.Extensions.Options.Options.Create(new StorageOptions
        {
            ConnectionString = TestEnvironment.Storage,
            NamePrefix = $"i{Guid.NewGuid():N}"[..9] + "-",
        }));
        await Storage.Container(NexusStorage.UploadsContainer).CreateIfNotExistsAsync();
        Uploads = new InventoryUploads(Database.DataSource);
        await Database.DataSource.CreateCommand(CatalogSql).ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await Storage.Container(NexusStorage.UploadsContainer).DeleteIfExistsAsync();
        await Database.DisposeAsync();
    }

    // Parts 1..5 OEM; 0986AB2854 exists twice (Bosch and Toyota) so only a brand tells them apart;
    // aftermarket GT-100 (Gates) for part 1, and 'DUP-7' by two aftermarket makers.
    private const string CatalogSql = """
        INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES (1, 'Bosch'), (2, 'Toyota'), (3, 'Gates'), (4, 'Fricción Pérez');
        INSERT INTO parts (id_part, oem_part_number, name_part, id_manufacture) VALUES
            (1, 'ABC-123', 'Filtro de aceite', 2),
            (2, 'XYZ 789', 'Balata delantera', 2),
            (3, '0 986 AB2 854', 'Bomba de agua', 1),
            (4, '0986-AB2-854', 'Bomba de agua Toyota', 2),
            (5, 'K/55.1', 'Banda', 2);
        INSERT INTO aftermarket_parts (id_aftermarket_parts, oem_part_id, manufacturer_id, part_number, name_aftermarket_parts) VALUES
            (1, 1, 3, 'GT-100', 'Filtro Gates'),
            (2, 2, 3, 'DUP-7', 'Balata Gates'),
            (3, 2, 4, 'DUP-7', 'Balata Fricción Pérez');
        """;

    public async Task<int> CreateBodegaAsync(string business = "Bodega")
    {
        const string sql = """
            INSERT INTO users (name_user, email, pass, id_rol, business_name, is_active)
            VALUES (@business, @email, 'x', 4, @business, true) RETURNING id_user
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(sql, new { business, email = $"{Guid.NewGuid():N}@test.mx" });
    }

    public InventoryUploadProcessor Processor(InventoryOptions? options = null) =>
        new(Database.DataSource, Storage, Uploads, Microsoft.Extensions.Options.Options.Create(options ?? Options), Worker,
            new BackgroundPacing(TimeProvider.System), NullLogger<InventoryUploadProcessor>.Instance);

    /// <summary>Requests an upload, writes the blob and returns its name (not yet processed).</summary>
    public async Task<string> PutAsync(int userId, string fileName, byte[] content, string mode = "merge", InventoryColumnMapping? mapping = null)
    {
        var (_, blobName) = await Uploads.CreateAsync(userId, fileName, mode, mapping, CancellationToken.None);
        var blob = Storage.Container(NexusStorage.UploadsContainer).GetBlobClient(blobName);
        await blob.UploadAsync(new BinaryData(content));
        return blobName;
    }

    public async Task<(InventoryUploadOutcome Outcome, UploadRow Upload)> ImportAsync(int userId, string fileName, byte[] content,
        string mode = "merge", InventoryColumnMapping? mapping = null, InventoryUploadProcessor? processor = null)
    {
        var blobName = await PutAsync(userId, fileName, content, mode, mapping);
        var outcome = await (processor ?? Processor()).ProcessBlobAsync(blobName, CancellationToken.None);
        return (outcome, await UploadAsync(blobName));
    }

    public Task<(InventoryUploadOutcome Outcome, UploadRow Upload)> ImportCsvAsync(int userId, string csv, string mode = "merge", InventoryColumnMapping? mapping = null) =>
        ImportAsync(userId, "inventario.csv", Encoding.UTF8.GetBytes(csv), mode, mapping);

    public async Task<UploadRow> UploadAsync(string blobName)
    {
        const string sql = """
            SELECT id_upload, status, rows_total, rows_imported, rows_errors, rows_unchanged, duplicates, rows_deleted,
                   rows_processed, error_log, attempts, processed_by
            FROM inventory_uploads WHERE blob_name = @blobName
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<UploadRow>(sql, new { blobName });
    }

    public async Task<List<ItemRow>> ItemsAsync(int userId)
    {
        const string sql = """
            SELECT part_id, aftermarket_part_id, price, stock_quantity, min_order_quantity, warehouse_location,
                   xmin::text::bigint AS xmin, updated_at
            FROM warehouse_inventory WHERE user_id = @userId
            ORDER BY warehouse_location, part_id NULLS LAST, aftermarket_part_id
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<ItemRow>(sql, new { userId })).ToList();
    }

    public async Task<List<ErrorRow>> ErrorsAsync(long idUpload)
    {
        const string sql = """
            SELECT row_number, kind, reason, raw_values FROM inventory_upload_errors
            WHERE upload_id = @idUpload ORDER BY row_number
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<ErrorRow>(sql, new { idUpload })).ToList();
    }
}
