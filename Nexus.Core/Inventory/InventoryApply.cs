using System.Text;
using Dapper;
using Npgsql;

namespace Nexus.Core.Inventory;

public sealed record InventoryImportCounts(int RowsTotal, int RowsImported, int RowsErrors, int RowsUnchanged, int Duplicates, int RowsDeleted);

/// <summary>Stage names at which a test can stop the import to prove a crash leaves the inventory as it was.</summary>
public enum InventoryImportStage
{
    Staged,
    BeforeCommit,
}

/// <summary>
/// Applies the staged rows to the bodega's inventory in one transaction: match part numbers, record rejected and
/// duplicate rows, write only rows that are new or changed, remove what a replace upload no longer lists, complete the upload.
/// A failure anywhere rolls all of it back.
/// </summary>
public sealed class InventoryApply(NpgsqlConnection connection)
{
    // Every writer of a bodega's warehouse_inventory holds this lock (with the user id) for its transaction,
    // which is what makes the plain INSERT of new rows below safe from a concurrent upload of the same bodega.
    public const int InventoryLockClass = 30_001;

    public async Task<InventoryImportCounts> RunAsync(ClaimedUpload upload, Guid token, int rowsTotal, int maxStoredErrors,
        Func<InventoryImportStage, CancellationToken, Task> stageReached, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var parameters = new { upload.IdUpload, upload.UserId, token, maxStoredErrors, lockClass = InventoryLockClass };
        Task<int> Execute(string sql) => connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: ct));
        Task<int> Count(string table) => connection.ExecuteScalarAsync<int>(new CommandDefinition(CountSql[table], transaction: transaction, cancellationToken: ct));

        await Execute(Prepare);
        await Execute(Match);
        await Execute(RecordRejected);
        await Execute(Resolve);
        var resolved = await Count("inventory_resolved");
        await Execute(KeepLastRow);
        var winners = await Count("inventory_winners");
        if (winners < resolved)
        {
            await Execute(RecordDuplicates);
        }
        await Execute(FindChanges);
        var changed = await Count("inventory_changes");
        await Execute(UpdateChanged);
        await Execute(InsertNew);
        var deleted = upload.Mode == "replace" ? await Execute(DeleteMissing) : 0;

        var counts = new InventoryImportCounts(rowsTotal, winners, rowsTotal - resolved, winners - changed, resolved - winners, deleted);
        var errorLog = await ErrorLogAsync(transaction, upload.IdUpload, counts, ct);
        await stageReached(InventoryImportStage.BeforeCommit, ct);

        var completed = await connection.ExecuteAsync(new CommandDefinition(Complete, new
        {
            upload.IdUpload, token, counts.RowsTotal, counts.RowsImported, counts.RowsErrors, counts.RowsUnchanged,
            counts.Duplicates, counts.RowsDeleted, errorLog,
        }, transaction, cancellationToken: ct));
        if (completed == 0)
        {
            // Another worker took the upload over (this one looked dead): let it finish, change nothing here.
            throw new InventoryClaimLostException(upload.IdUpload);
        }
        await transaction.CommitAsync(ct);
        return counts;
    }

    // CREATE TABLE AS reports no row count through Npgsql, so the sizes are read back.
    private static readonly Dictionary<string, string> CountSql = new()
    {
        ["inventory_resolved"] = "SELECT count(*) FROM inventory_resolved",
        ["inventory_winners"] = "SELECT count(*) FROM inventory_winners",
        ["inventory_changes"] = "SELECT count(*) FROM inventory_changes",
    };

    private const string Prepare = """
        SELECT pg_advisory_xact_lock(@lockClass, @userId);
        SET LOCAL work_mem = '64MB';
        DELETE FROM inventory_upload_errors WHERE upload_id = @idUpload;
        """;

    // Candidates by normalized number: OEM parts, then aftermarket parts. A brand narrows them down when it names the
    // candidate's manufacturer: tier 1 = OEM of that brand, 2 = aftermarket of that brand, 3 = any OEM, 4 = any aftermarket.
    // The best non-empty tier must hold exactly one part; more is ambiguous.
    private const string Match = """
        CREATE TEMP TABLE inventory_matched ON COMMIT DROP AS
        WITH candidates AS (
            SELECT s.row_number, p.id_part AS part_id, NULL::integer AS aftermarket_part_id,
                   CASE WHEN s.brand IS NOT NULL AND search_text(m.name_manufacture) = search_text(s.brand) THEN 1 ELSE 3 END AS tier
            FROM inventory_staging s
            JOIN parts p ON p.oem_part_number_norm = s.part_number_norm
            LEFT JOIN manufacturers m ON m.id_manufacture = p.id_manufacture
            WHERE s.error IS NULL
            UNION ALL
            SELECT s.row_number, NULL, a.id_aftermarket_parts,
                   CASE WHEN s.brand IS NOT NULL AND search_text(m.name_manufacture) = search_text(s.brand) THEN 2 ELSE 4 END
            FROM inventory_staging s
            JOIN aftermarket_parts a ON a.part_number_norm = s.part_number_norm
            JOIN manufacturers m ON m.id_manufacture = a.manufacturer_id
            WHERE s.error IS NULL
        ), tiers AS (
            SELECT row_number,
                   count(*) FILTER (WHERE tier = 1) AS n1, min(part_id) FILTER (WHERE tier = 1) AS p1,
                   count(*) FILTER (WHERE tier = 2) AS n2, min(aftermarket_part_id) FILTER (WHERE tier = 2) AS a2,
                   count(*) FILTER (WHERE tier = 3) AS n3, min(part_id) FILTER (WHERE tier = 3) AS p3,
                   count(*) FILTER (WHERE tier = 4) AS n4, min(aftermarket_part_id) FILTER (WHERE tier = 4) AS a4
            FROM candidates
            GROUP BY row_number
        )
        SELECT row_number,
               CASE WHEN n1 > 0 THEN n1 WHEN n2 > 0 THEN n2 WHEN n3 > 0 THEN n3 ELSE n4 END AS candidates,
               CASE WHEN n1 > 0 THEN p1 WHEN n2 > 0 THEN NULL WHEN n3 > 0 THEN p3 END AS part_id,
               CASE WHEN n1 > 0 THEN NULL WHEN n2 > 0 THEN a2 WHEN n3 > 0 THEN NULL ELSE a4 END AS aftermarket_part_id
        FROM tiers
        """;

    private const string RecordRejected = """
        INSERT INTO inventory_upload_errors (upload_id, row_number, kind, reason, raw_values)
        SELECT @idUpload, s.row_number, 'error',
               left(COALESCE(s.error,
                   CASE WHEN m.row_number IS NULL THEN 'Número de parte no encontrado en el catálogo: ' || s.part_number
                        ELSE 'Número de parte ambiguo (' || m.candidates || ' piezas lo usan): indica la marca' END), 500),
               COALESCE(s.raw_values, ARRAY[s.part_number, s.price::text, s.stock::text, s.location, s.min_order::text, s.brand])
        FROM inventory_staging s
        LEFT JOIN inventory_matched m USING (row_number)
        WHERE s.error IS NOT NULL OR m.row_number IS NULL OR m.candidates > 1
        ORDER BY s.row_number
        LIMIT @maxStoredErrors
        """;

    private const string Resolve = """
        CREATE TEMP TABLE inventory_resolved ON COMMIT DROP AS
        SELECT s.row_number, coalesce(m.part_id, -m.aftermarket_part_id) AS item, m.part_id, m.aftermarket_part_id,
               s.price, s.stock, s.location, s.min_order
        FROM inventory_staging s
        JOIN inventory_matched m USING (row_number)
        WHERE m.candidates = 1
        """;

    // The last row of the file wins for each part and location.
    private const string KeepLastRow = """
        CREATE TEMP TABLE inventory_winners ON COMMIT DROP AS
        SELECT r.*
        FROM inventory_resolved r
        JOIN (SELECT max(row_number) AS row_number FROM inventory_resolved GROUP BY item, location) last USING (row_number)
        """;

    private const string RecordDuplicates = """
        INSERT INTO inventory_upload_errors (upload_id, row_number, kind, reason, raw_values)
        SELECT @idUpload, r.row_number, 'duplicate', 'Fila repetida: la fila ' || w.row_number || ' la reemplaza',
               ARRAY[s.part_number, r.price::text, r.stock::text, r.location, r.min_order::text, s.brand]
        FROM inventory_resolved r
        JOIN inventory_winners w ON w.item = r.item AND w.location = r.location AND w.row_number <> r.row_number
        JOIN inventory_staging s ON s.row_number = r.row_number
        ORDER BY r.row_number
        LIMIT @maxStoredErrors
        """;

    // Only rows that are new or whose values differ are written: re-uploading an unchanged file writes nothing.
    private const string FindChanges = """
        CREATE TEMP TABLE inventory_changes ON COMMIT DROP AS
        SELECT w.*, wi.id_inventory
        FROM inventory_winners w
        LEFT JOIN warehouse_inventory wi
               ON wi.user_id = @userId
              AND coalesce(wi.part_id, -wi.aftermarket_part_id) = w.item
              AND wi.warehouse_location = w.location
        WHERE wi.id_inventory IS NULL
           OR (wi.price, wi.stock_quantity, wi.min_order_quantity) IS DISTINCT FROM (w.price, w.stock, w.min_order)
        """;

    private const string UpdateChanged = """
        UPDATE warehouse_inventory wi
        SET price = c.price, stock_quantity = c.stock, min_order_quantity = c.min_order, updated_at = now()
        FROM inventory_changes c
        WHERE c.id_inventory IS NOT NULL AND wi.id_inventory = c.id_inventory
        """;

    private const string InsertNew = """
        INSERT INTO warehouse_inventory (user_id, part_id, aftermarket_part_id, price, stock_quantity, min_order_quantity, warehouse_location)
        SELECT @userId, part_id, aftermarket_part_id, price, stock, min_order, location
        FROM inventory_changes
        WHERE id_inventory IS NULL
        """;

    // Replace: within the locations the file lists, what the file no longer has is gone from the bodega.
    private const string DeleteMissing = """
        DELETE FROM warehouse_inventory wi
        WHERE wi.user_id = @userId
          AND wi.warehouse_location IN (SELECT DISTINCT location FROM inventory_staging WHERE error IS NULL)
          AND NOT EXISTS (
              SELECT 1 FROM inventory_winners w
              WHERE w.item = coalesce(wi.part_id, -wi.aftermarket_part_id) AND w.location = wi.warehouse_location)
        """;

    private const string Complete = """
        UPDATE inventory_uploads
        SET status = 'completed', rows_total = @rowsTotal, rows_imported = @rowsImported, rows_errors = @rowsErrors,
            rows_unchanged = @rowsUnchanged, duplicates = @duplicates, rows_deleted = @rowsDeleted,
            rows_processed = @rowsTotal, error_log = @errorLog, completed_at = now(), claim_token = NULL
        WHERE id_upload = @idUpload AND claim_token = @token AND status = 'processing'
        """;

    private async Task<string?> ErrorLogAsync(NpgsqlTransaction transaction, long idUpload, InventoryImportCounts counts, CancellationToken ct)
    {
        const string sql = """
            SELECT row_number, reason FROM inventory_upload_errors
            WHERE upload_id = @idUpload AND kind = 'error'
            ORDER BY row_number
            LIMIT 50
            """;
        if (counts.RowsErrors == 0)
        {
            return null;
        }
        var rows = await connection.QueryAsync<(int RowNumber, string Reason)>(new CommandDefinition(sql, new { idUpload }, transaction, cancellationToken: ct));
        var log = new StringBuilder();
        foreach (var (rowNumber, reason) in rows)
        {
            log.Append("Fila ").Append(rowNumber).Append(": ").Append(reason).Append('\n');
        }
        var listed = rows.Count();
        if (counts.RowsErrors > listed)
        {
            log.Append("… y ").Append(counts.RowsErrors - listed).Append(" filas más con error.\n");
        }
        return log.Length > 20000 ? log.ToString(0, 19999) : log.ToString();
    }
}

public sealed class InventoryClaimLostException(long idUpload) : Exception($"Upload {idUpload} was claimed by another worker");
