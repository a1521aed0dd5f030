using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Core.CatalogImport;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.CatalogImport;

public sealed record ImportRow(long IdImport, string Status, int? RowsTotal, int? RowsImported, int? RowsRejected, int? RowsWithProblems,
    int? AftermarketCreated, int? AftermarketUpdated, int? AftermarketUnchanged, int? VehicleLinksCreated, string? ProblemCounts,
    int RowsProcessed, string? ErrorLog, int Attempts);

public sealed record ProblemRow(int RowNumber, string Kind, string? Value, string Reason);

/// <summary>
/// A private database with <see cref="CatalogImportCatalog"/>, a private uploads container in Azurite, and the real
/// processor: tests write a blob and call the processor as the queue function would.
/// </summary>
public sealed class CatalogImportTestContext : IAsyncDisposable
{
    static CatalogImportTestContext() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private CatalogImportTestContext(TestDatabase database, NexusStorage storage)
    {
        Database = database;
        Storage = storage;
        Imports = new CatalogImports(database.DataSource);
    }

    public TestDatabase Database { get; }
    public NexusStorage Storage { get; }
    public CatalogImports Imports { get; }
    public CatalogImportOptions Options { get; } = new() { ProgressEveryRows = 100 };

    public static async Task<CatalogImportTestContext> CreateAsync()
    {
        var database = await TestDatabase.CreateAsync();
        await CatalogImportCatalog.LoadAsync(database.DataSource);
        var storage = new NexusStorage(Microsoft.Extensions.Options.Options.Create(new StorageOptions
        {
            ConnectionString = TestEnvironment.Storage,
            NamePrefix = $"c{Guid.NewGuid():N}"[..9] + "-",
        }));
        await storage.Container(NexusStorage.UploadsContainer).CreateIfNotExistsAsync();
        return new CatalogImportTestContext(database, storage);
    }

    public async ValueTask DisposeAsync()
    {
        await Storage.Container(NexusStorage.UploadsContainer).DeleteIfExistsAsync();
        await Database.DisposeAsync();
    }

    public CatalogImportProcessor Processor(CatalogImportOptions? options = null) =>
        new(Database.DataSource, Storage, Imports, Microsoft.Extensions.Options.Options.Create(options ?? Options), NullLogger<CatalogImportProcessor>.Instance);

    /// <summary>Records an import and writes its blob; returns the blob name (not yet processed).</summary>
    public async Task<string> PutAsync(byte[] content, string fileName = "articulos.csv")
    {
        var userId = await AdminAsync();
        var (_, blobName) = await Imports.CreateAsync(userId, fileName, CancellationToken.None);
        await Storage.Container(NexusStorage.UploadsContainer).GetBlobClient(blobName).UploadAsync(new BinaryData(content));
        return blobName;
    }

    public Task<string> PutCsvAsync(string csv) => PutAsync(Encoding.UTF8.GetBytes(csv));

    public async Task<(CatalogImportOutcome Outcome, ImportRow Import)> ImportAsync(byte[] content, string fileName = "articulos.csv", CatalogImportProcessor? processor = null)
    {
        var blobName = await PutAsync(content, fileName);
        var outcome = await (processor ?? Processor()).ProcessBlobAsync(blobName, CancellationToken.None);
        return (outcome, await ImportRowAsync(blobName));
    }

    public Task<(CatalogImportOutcome Outcome, ImportRow Import)> ImportCsvAsync(string csv) => ImportAsync(Encoding.UTF8.GetBytes(csv));

    public async Task<ImportRow> ImportRowAsync(string blobName)
    {
        const string sql = """
            SELECT id_import, status, rows_total, rows_imported, rows_rejected, rows_with_problems, aftermarket_created, aftermarket_updated,
                   aftermarket_unchanged, vehicle_links_created, problem_counts::text AS problem_counts, rows_processed, error_log, attempts
            FROM catalog_imports WHERE blob_name = @blobName
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<ImportRow>(sql, new { blobName });
    }

    public async Task<List<ProblemRow>> ProblemsAsync(long idImport)
    {
        const string sql = "SELECT row_number, kind, value, reason FROM catalog_import_problems WHERE import_id = @idImport ORDER BY seq";
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<ProblemRow>(sql, new { idImport })).ToList();
    }

    private int? _adminId;

    private async Task<int> AdminAsync()
    {
        if (_adminId is { } id)
        {
            return id;
        }
        const string sql = """
            INSERT INTO users (name_user, email, pass, id_rol, is_active)
            VALUES ('Admin', @email, 'x', 1, true) RETURNING id_user
            """;
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        _adminId = await connection.ExecuteScalarAsync<int>(sql, new { email = $"{Guid.NewGuid():N}@test.mx" });
        return _adminId.Value;
    }
}
