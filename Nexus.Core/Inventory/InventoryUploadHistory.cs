using Dapper;
using Npgsql;

namespace Nexus.Core.Inventory;

/// <summary>One upload as its bodega sees it: state, counts, progress and the error summary.</summary>
public sealed record UploadSummary(
    long UploadId,
    string Filename,
    string Mode,
    string Status,
    int? RowsTotal,
    int? RowsImported,
    int? RowsErrors,
    int? RowsUnchanged,
    int? Duplicates,
    int? RowsDeleted,
    int RowsProcessed,
    long? ContentLength,
    string? ErrorLog,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt);

public sealed record UploadPage(IReadOnlyList<UploadSummary> Items, int Page, int PageSize, long Total)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
}

/// <summary>A rejected or superseded row of an upload, for errors.csv.</summary>
public sealed class UploadErrorRow
{
    public int RowNumber { get; init; }
    public string Kind { get; init; } = "";
    public string Reason { get; init; } = "";

    /// <summary>The mapped cells as read: part_number, price, stock, location, min_order_quantity, brand.</summary>
    public string[] RawValues { get; init; } = [];
}

/// <summary>A bodega's own uploads. Every query is scoped by user: another bodega's upload reads as missing.</summary>
public sealed class InventoryUploadHistory(NpgsqlDataSource db)
{
    /// <summary>The list shows the start of error_log; the single upload shows all of it.</summary>
    public const int ErrorLogSummaryLength = 500;

    private const string Columns = """
        id_upload AS upload_id, filename, mode, status, rows_total, rows_imported, rows_errors, rows_unchanged,
        duplicates, rows_deleted, rows_processed, content_length
        """;

    public async Task<UploadPage> ListAsync(int userId, int page, int pageSize, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns}, left(error_log, @summaryLength) AS error_log, created_at, started_at, completed_at
            FROM inventory_uploads
            WHERE user_id = @userId
            ORDER BY created_at DESC, id_upload DESC
            LIMIT @limit OFFSET @offset
            """;
        const string count = "SELECT count(*) FROM inventory_uploads WHERE user_id = @userId";
        var parameters = new { userId, summaryLength = ErrorLogSummaryLength, limit = pageSize, offset = (long)(page - 1) * pageSize };
        await using var connection = await db.OpenConnectionAsync(ct);
        var items = await connection.QueryAsync<UploadSummary>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(count, parameters, cancellationToken: ct));
        return new UploadPage(items.AsList(), page, pageSize, total);
    }

    public async Task<UploadSummary?> GetAsync(int userId, long uploadId, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {Columns}, error_log, created_at, started_at, completed_at
            FROM inventory_uploads
            WHERE id_upload = @uploadId AND user_id = @userId
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<UploadSummary>(new CommandDefinition(sql, new { userId, uploadId }, cancellationToken: ct));
    }

    /// <summary>Writes the upload's stored error rows in row order, streamed from the database; false when the upload is not this user's.</summary>
    public async Task<bool> WriteErrorsAsync(int userId, long uploadId, Func<UploadErrorRow, Task> write, CancellationToken ct)
    {
        const string owned = "SELECT EXISTS (SELECT 1 FROM inventory_uploads WHERE id_upload = @uploadId AND user_id = @userId)";
        const string sql = """
            SELECT e.row_number, e.kind, e.reason, e.raw_values
            FROM inventory_upload_errors e
            WHERE e.upload_id = @uploadId
            ORDER BY e.row_number
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(owned, new { userId, uploadId }, cancellationToken: ct)))
        {
            return false;
        }
        await foreach (var row in connection.QueryUnbufferedAsync<UploadErrorRow>(sql, new { uploadId }).WithCancellation(ct))
        {
            await write(row);
        }
        return true;
    }
}
