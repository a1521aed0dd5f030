using Dapper;
using Npgsql;

namespace Nexus.Core.Inventory;

public sealed record ClaimedUpload(long IdUpload, int UserId, string Filename, string BlobName, string Mode, string? MappingJson);

/// <summary>The life of an upload row: requested (pending), claimed by one worker (processing), then completed or failed.</summary>
public sealed class InventoryUploads(NpgsqlDataSource db)
{
    public static readonly string[] Modes = ["merge", "replace"];

    /// <summary>Advisory lock class (key: user id) that makes the quota check and the insert of a bodega's uploads one step.</summary>
    public const int UploadQuotaLockClass = 30_002;

    private sealed record QuotaUse(int Active, int LastHour, DateTime? OldestInHour);

    /// <summary>
    /// Records a pending upload and chooses the blob it must be written to: {user}/{random}.{ext}. With a
    /// <paramref name="quota"/>, throws <see cref="UploadQuotaExceededException"/> instead when the bodega has too many
    /// uploads in flight or requested too many in the last hour.
    /// </summary>
    public async Task<(long IdUpload, string BlobName)> CreateAsync(
        int userId, string filename, string mode, InventoryColumnMapping? mapping, CancellationToken ct, UploadQuota? quota = null)
    {
        const string lockSql = "SELECT pg_advisory_xact_lock(@lockClass, @userId)";
        const string useSql = """
            SELECT count(*) FILTER (WHERE status = 'processing' OR (status = 'pending' AND created_at > now() - @activeWindow))::int AS active,
                   count(*) FILTER (WHERE created_at > now() - interval '1 hour')::int AS last_hour,
                   min(created_at) FILTER (WHERE created_at > now() - interval '1 hour') AS oldest_in_hour
            FROM inventory_uploads
            WHERE user_id = @userId
              AND (status IN ('pending', 'processing') OR created_at > now() - interval '1 hour')
            """;
        const string sql = """
            INSERT INTO inventory_uploads (user_id, filename, blob_name, mode, mapping)
            VALUES (@userId, @filename, @blobName, @mode, @mapping::jsonb)
            RETURNING id_upload
            """;
        if (!Modes.Contains(mode))
        {
            throw new ArgumentException($"Unknown mode {mode}", nameof(mode));
        }
        var extension = Path.GetExtension(filename).ToLowerInvariant();
        var safeExtension = extension.Length is > 1 and <= 6 && extension[1..].All(char.IsAsciiLetterOrDigit) ? extension : "";
        var blobName = $"{userId}/{Guid.NewGuid():N}{safeExtension}";
        var name = Path.GetFileName(filename);
        name = name.Length > 200 ? name[^200..] : name;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (quota is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(lockSql, new { lockClass = UploadQuotaLockClass, userId }, transaction, cancellationToken: ct));
            var use = await connection.QuerySingleAsync<QuotaUse>(new CommandDefinition(
                useSql, new { userId, activeWindow = quota.ActiveWindow }, transaction, cancellationToken: ct));
            if (use.Active >= quota.MaxActive)
            {
                throw new UploadQuotaExceededException("Demasiadas cargas en curso / Too many uploads in progress",
                    $"Tienes {use.Active} cargas pendientes o en proceso (máximo {quota.MaxActive}): espera a que terminen. "
                    + $"/ You have {use.Active} uploads pending or processing (at most {quota.MaxActive}): wait for them to finish.",
                    TimeSpan.FromMinutes(1));
            }
            if (use.LastHour >= quota.MaxPerHour)
            {
                var retryAfter = use.OldestInHour is { } oldest ? oldest.AddHours(1) - DateTime.UtcNow : TimeSpan.FromHours(1);
                throw new UploadQuotaExceededException("Demasiadas cargas / Too many uploads",
                    $"Ya pediste {use.LastHour} cargas en la última hora (máximo {quota.MaxPerHour}). "
                    + $"/ You requested {use.LastHour} uploads in the last hour (at most {quota.MaxPerHour}).",
                    retryAfter > TimeSpan.FromSeconds(1) ? retryAfter : TimeSpan.FromSeconds(1));
            }
        }
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql,
            new { userId, filename = name, blobName, mode, mapping = mapping?.ToJson() }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return (id, blobName);
    }

    /// <summary>
    /// Takes the upload for this worker: a pending one, or a processing one whose worker stopped beating
    /// (a redelivered message after a crash). Null when it is done, unknown or owned by a live worker.
    /// </summary>
    /// <param name="worker">Recorded as processed_by: only the claim's holder can complete the upload.</param>
    public async Task<ClaimedUpload?> ClaimAsync(string blobName, Guid token, string worker, TimeSpan claimTimeout, CancellationToken ct)
    {
        const string sql = """
            UPDATE inventory_uploads
            SET status = 'processing', claim_token = @token, heartbeat_at = now(), attempts = attempts + 1,
                started_at = now(), rows_processed = 0, processed_by = @worker
            WHERE blob_name = @blobName
              AND (status = 'pending' OR (status = 'processing' AND heartbeat_at < now() - @claimTimeout))
            RETURNING id_upload, user_id, filename, blob_name, mode, mapping::text AS mapping_json
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ClaimedUpload>(new CommandDefinition(sql, new { blobName, token, worker, claimTimeout }, cancellationToken: ct));
    }

    public async Task<string?> StatusAsync(string blobName, CancellationToken ct)
    {
        const string sql = "SELECT status FROM inventory_uploads WHERE blob_name = @blobName";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { blobName }, cancellationToken: ct));
    }

    /// <summary>Keeps the claim fresh; also publishes parsing progress when given.</summary>
    public async Task HeartbeatAsync(long idUpload, Guid token, CancellationToken ct)
    {
        const string sql = """
            UPDATE inventory_uploads SET heartbeat_at = now()
            WHERE id_upload = @idUpload AND claim_token = @token AND status = 'processing'
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idUpload, token }, cancellationToken: ct));
    }

    /// <summary>Hands the upload back after a transient failure, so the message's retry can claim it at once.</summary>
    public async Task ReleaseAsync(long idUpload, Guid token, CancellationToken ct)
    {
        const string sql = """
            UPDATE inventory_uploads SET status = 'pending', claim_token = NULL, heartbeat_at = NULL
            WHERE id_upload = @idUpload AND claim_token = @token AND status = 'processing'
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idUpload, token }, cancellationToken: ct));
    }

    /// <summary>The file cannot be imported: this worker ends its claim as failed.</summary>
    public async Task FailAsync(long idUpload, Guid token, string reason, CancellationToken ct)
    {
        const string sql = """
            UPDATE inventory_uploads
            SET status = 'failed', error_log = left(@reason, 20000), completed_at = now(), claim_token = NULL
            WHERE id_upload = @idUpload AND claim_token = @token AND status = 'processing'
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { idUpload, token, reason }, cancellationToken: ct));
    }

    /// <summary>The message went to the poison queue: whatever state the upload is in, unless done, it has failed.</summary>
    public async Task FailUnfinishedAsync(string blobName, string reason, CancellationToken ct)
    {
        const string sql = """
            UPDATE inventory_uploads
            SET status = 'failed', error_log = left(@reason, 20000), completed_at = now(), claim_token = NULL
            WHERE blob_name = @blobName AND status IN ('pending', 'processing')
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { blobName, reason }, cancellationToken: ct));
    }
}
