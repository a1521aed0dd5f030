using System.Text.Json;
using Dapper;
using Npgsql;

namespace Nexus.Core.CatalogImport;

/// <summary>One import as the administrators see it: state, counts, progress and the start of its problem list.</summary>
public sealed record CatalogImportSummary(
    long ImportId,
    string Filename,
    string Status,
    int? CreatedBy,
    string? CreatedByEmail,
    int? RowsTotal,
    int? RowsImported,
    int? RowsRejected,
    int? RowsWithProblems,
    int? AftermarketCreated,
    int? AftermarketUpdated,
    int? AftermarketUnchanged,
    int? VehicleLinksCreated,
    IReadOnlyDictionary<string, int>? ProblemCounts,
    int RowsProcessed,
    long? ContentLength,
    int Attempts,
    string? ErrorLog,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt);

public sealed record CatalogImportPage(IReadOnlyList<CatalogImportSummary> Items, int Page, int PageSize, long Total)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
}

/// <summary>A problem of an import, for problems.csv.</summary>
public sealed class CatalogImportProblemRow
{
    public int RowNumber { get; init; }
    public string Kind { get; init; } = "";
    public string? Value { get; init; }
    public string Reason { get; init; } = "";
    public string? Supplier { get; init; }
    public string? ArticleNumber { get; init; }
}

/// <summary>The catalog imports, newest first. They change the shared catalog, so every administrator sees all of them.</summary>
public sealed class CatalogImportHistory(NpgsqlDataSource db)
{
    /// <summary>The list shows the start of error_log; the single import shows all of it.</summary>
    public const int ErrorLogSummaryLength = 500;

    private sealed record Row(
        long ImportId, string Filename, string Status, int? CreatedBy, string? CreatedByEmail, int? RowsTotal, int? RowsImported,
        int? RowsRejected, int? RowsWithProblems, int? AftermarketCreated, int? AftermarketUpdated, int? AftermarketUnchanged,
        int? VehicleLinksCreated, string? ProblemCounts, int RowsProcessed, long? ContentLength, int Attempts, string? ErrorLog,
        DateTime CreatedAt, DateTime? StartedAt, DateTime? CompletedAt)
    {
        public CatalogImportSummary ToSummary() => new(ImportId, Filename, Status, CreatedBy, CreatedByEmail, RowsTotal, RowsImported,
            RowsRejected, RowsWithProblems, AftermarketCreated, AftermarketUpdated, AftermarketUnchanged, VehicleLinksCreated,
            ProblemCounts is null ? null : JsonSerializer.Deserialize<Dictionary<string, int>>(ProblemCounts),
            RowsProcessed, ContentLength, Attempts, ErrorLog, CreatedAt, StartedAt, CompletedAt);
    }

    private const string Columns = """
        i.id_import AS import_id, i.filename, i.status, i.user_id AS created_by, u.email AS created_by_email, i.rows_total,
        i.rows_imported, i.rows_rejected, i.rows_with_problems, i.aftermarket_created, i.aftermarket_updated, i.aftermarket_unchanged,
        i.vehicle_links_created, i.problem_counts::text AS problem_counts, i.rows_processed, i.content_length, i.attempts
        """;

    public async Task<CatalogImportPage> ListAsync(int page, int pageSize, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns}, left(i.error_log, @summaryLength) AS error_log, i.created_at, i.started_at, i.completed_at
            FROM catalog_imports i
            LEFT JOIN users u ON u.id_user = i.user_id
            ORDER BY i.created_at DESC, i.id_import DESC
            LIMIT @limit OFFSET @offset
            """;
        const string count = "SELECT count(*) FROM catalog_imports";
        var parameters = new { summaryLength = ErrorLogSummaryLength, limit = pageSize, offset = (long)(page - 1) * pageSize };
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(count, cancellationToken: ct));
        return new CatalogImportPage(rows.Select(r => r.ToSummary()).ToList(), page, pageSize, total);
    }

    public async Task<CatalogImportSummary?> GetAsync(long importId, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns}, i.error_log, i.created_at, i.started_at, i.completed_at
            FROM catalog_imports i
            LEFT JOIN users u ON u.id_user = i.user_id
            WHERE i.id_import = @importId
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { importId }, cancellationToken: ct)))?.ToSummary();
    }

    /// <summary>Writes the import's stored problems in report order, streamed from the database; false when there is no such import.</summary>
    public async Task<bool> WriteProblemsAsync(long importId, Func<CatalogImportProblemRow, Task> write, CancellationToken ct)
    {
        const string exists = "SELECT EXISTS (SELECT 1 FROM catalog_imports WHERE id_import = @importId)";
        const string sql = """
            SELECT row_number, kind, value, reason, supplier, article_number
            FROM catalog_import_problems
            WHERE import_id = @importId
            ORDER BY seq
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(exists, new { importId }, cancellationToken: ct)))
        {
            return false;
        }
        await foreach (var row in connection.QueryUnbufferedAsync<CatalogImportProblemRow>(sql, new { importId }).WithCancellation(ct))
        {
            await write(row);
        }
        return true;
    }
}
