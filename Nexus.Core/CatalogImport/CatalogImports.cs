using Dapper;
using Npgsql;

namespace Nexus.Core.CatalogImport;

public sealed record ClaimedImport(long IdImport, string Filename, string BlobName);

/// <summary>The life of an import row: recorded (pending), claimed by one worker (processing), then completed or failed.</summary>
public sealed class CatalogImports(NpgsqlDataSource db)
{
    /// <summary>Where the feeds live inside the uploads container; inventory blobs are {user id}/..., so the two never meet.</summary>
    public const string BlobPrefix = "catalog-imports/";

    /// <summary>Records a pending import and chooses the blob it is written to: catalog-imports/{random}.csv.</summary>
    public async Task<(long IdImport, string BlobName)> CreateAsync(int userId, string filename, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO catalog_imports (user_id, filename, blob_name)
            VALUES (@userId, @filename, @blobName)
            RETURNING id_import
            """;
        var blobName = $"{BlobPrefix}{Guid.NewGuid():N}.csv";
        var name = Path.GetFileName(filename);
        name = name.Length > 200 ? name[^200..] : name;
        await using var connection = await db.OpenConnectionAsync(ct);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { userId, filename = name, blobName }, cancellationToken: ct));
        return (id, blobName);
    }

    /// <summary>
    /// Takes the import for this worker: a pending one, or a processing one whose worker stopped beating
    /// (a redelivered message after a crash). Null when it is done, unknown or owned by a live worker.
    /// </summary>
    public async Task<ClaimedImport?> ClaimAsync(string blobName, Guid token, TimeSpan claimTimeout, CancellationToken ct)
    {
        const string sql = """
            UPDATE catalog_imports
            SET status = 'processing', claim_token = @token, heartbeat_at = now(), attempts = attempts + 1,
                started_at = now(), rows_processed = 0
            WHERE blob_name = @blobName
              AND (status = 'pending' OR (status = 'processing' AND heartbeat_at < now() - @claimTimeout))
            RETURNING id_import, filename, blob_name
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ClaimedImport>(new CommandDefinition(sql, new { blobName, token, claimTimeout }, cancellationToken: ct));
    }

    public async Task<string?> StatusAsync(string blobName, CancellationToken ct)
    {
        const string sql = "SELECT status FROM catalog_imports WHERE blob_name = @blobName";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { blobName }, cancellationToken: ct));
    }

    /// <summary>Keeps the claim fresh.</summary>
    public async Task HeartbeatAsync(long idImport, Guid token, CancellationToken ct)
    {
        const string sql = """
            UPDATE catalog_imports SET heartbeat_at = now()
            WHERE id_import = @idImport AND claim_token = @token AND status = 'processing'
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idImport, token }, cancellationToken: ct));
    }

    /// <summary>Parsing progress, written while the file is staged (also a heartbeat).</summary>
    public void ReportProgress(long idImport, Guid token, int rows)
    {
        const string sql = """
            UPDATE catalog_imports SET rows_processed = @rows, heartbeat_at = now()
            WHERE id_import = @idImport AND claim_token = @token AND status = 'processing'
            """;
        using var connection = db.OpenConnection();
        connection.Execute(sql, new { idImport, token, rows });
    }

    public async Task RecordBlobAsync(long idImport, Guid token, string eTag, long contentLength, CancellationToken ct)
    {
        const string sql = """
            UPDATE catalog_imports SET blob_etag = @eTag, content_length = @contentLength
            WHERE id_import = @idImport AND claim_token = @token
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idImport, token, eTag, contentLength }, cancellationToken: ct));
    }

    /// <summary>Hands the import back after a transient failure, so the message's retry can claim it at once.</summary>
    public async Task ReleaseAsync(long idImport, Guid token, CancellationToken ct)
    {
        const string sql = """
            UPDATE catalog_imports SET status = 'pending', claim_token = NULL, heartbeat_at = NULL
            WHERE id_import = @idImport AND claim_token = @token AND status = 'processing'
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idImport, token }, cancellationToken: ct));
    }

    /// <summary>The file cannot be imported: this worker ends its claim as failed.</summary>
    public async Task FailAsync(long idImport, Guid token, string reason, CancellationToken ct)
    {
        const string sql = """
            UPDATE catalog_imports
            SET status = 'failed', error_log = left(@reason, 20000), completed_at = now(), claim_token = NULL
            WHERE id_import = @idImport AND claim_token = @token AND status = 'processing'
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idImport, token, reason }, cancellationToken: ct));
    }

    /// <summary>Whatever state the import is in, unless done, it has failed (poison message, refused or interrupted upload).</summary>
    public async Task<bool> FailUnfinishedAsync(string blobName, string reason, CancellationToken ct)
    {
        const string sql = """
            UPDATE catalog_imports
            SET status = 'failed', error_log = left(@reason, 20000), completed_at = now(), claim_token = NULL
            WHERE blob_name = @blobName AND status IN ('pending', 'processing')
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { blobName, reason }, cancellationToken: ct)) > 0;
    }
}
