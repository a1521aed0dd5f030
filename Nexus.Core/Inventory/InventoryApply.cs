using System.Text;
using Dapper;
using Npgsql;

namespace Nexus.Core.Inventory;

/// <param name="RowsMatchedByJoin">Rows whose part number only one catalog part uses, matched without ranking candidates.</param>
public sealed record InventoryImportCounts(int RowsTotal, int RowsImported, int RowsErrors, int RowsUnchanged, int Duplicates, int RowsDeleted,
    int RowsMatchedByJoin);

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

    private sealed record ApplyCounts(long Resolved, long ByJoin, long Winners, long Changed, long Deleted, long SupersededRejected);

    public async Task<InventoryImportCounts> RunAsync(ClaimedUpload upload, Guid token, StagingResult staged, InventoryOptions options,
        Func<InventoryImportStage, CancellationToken, Task> stageReached, CancellationToken ct)
    {
        var replace = upload.Mode == "replace";
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(Prepare, new { upload.IdUpload, upload.UserId, lockClass = InventoryLockClass },
            transaction, cancellationToken: ct));
        var firstLoad = await connection.QuerySingleAsync<bool>(new CommandDefinition(HasNoInventory, new { upload.UserId }, transaction,
            cancellationToken: ct));
        long pending;
        if (firstLoad)
        {
            // Nothing can be unchanged: every valid row not replaced later in the file is pending, and copying ~1M rows
            // into a table of their own would cost about a second for nothing.
            await connection.ExecuteAsync(new CommandDefinition(PendingAll, new { superseded = staged.Superseded }, transaction, cancellationToken: ct));
            pending = staged.Valid - staged.Superseded.Length;
        }
        else
        {
            pending = await connection.QuerySingleAsync<long>(new CommandDefinition(Pending, new { upload.UserId, superseded = staged.Superseded },
                transaction, commandTimeout: 0, cancellationToken: ct));
        }
        // A merge of a file the bodega already has, row for row (nothing pending, rejected or repeated), has nothing to
        // match, write or record: the apply statement is skipped, whose planning alone takes tens of milliseconds.
        var unchanged = pending == 0 && !replace && staged.Valid == staged.Rows && staged.Superseded.Length == 0;
        // Kept rows take part in the apply only to meet a branded row of the same part, or to survive a replace; a first
        // load has none.
        await connection.ExecuteAsync(new CommandDefinition(Kept, new
        {
            upload.UserId, superseded = staged.Superseded, keep = !firstLoad && !unchanged && (staged.HasBrands || replace),
        }, transaction, commandTimeout: 0, cancellationToken: ct));
        // Every valid row that a later one does not replace is either pending or kept (unchanged).
        var kept = staged.Valid - staged.Superseded.Length - pending;
        var applied = unchanged
            ? new ApplyCounts(0, 0, 0, 0, 0, 0)
            : await connection.QuerySingleAsync<ApplyCounts>(new CommandDefinition(Apply, new
            {
                upload.IdUpload, upload.UserId, maxStoredErrors = options.MaxStoredErrors, replace, brands = staged.HasBrands,
                superseded = staged.Superseded, winners = staged.Winners, fast = pending >= options.FastMatchMinRows, firstLoad,
            }, transaction, commandTimeout: 0, cancellationToken: ct));

        // Rows replaced in the file count as duplicates when their replacement was imported, as errors when it was rejected.
        // Kept rows are in Resolved and Winners already when the file has brands and the apply ran (they joined the collision check).
        var keptUncounted = staged.HasBrands && !unchanged ? 0 : kept;
        var resolved = (int)(applied.Resolved + keptUncounted) + staged.Superseded.Length - (int)applied.SupersededRejected;
        var winners = (int)(applied.Winners + keptUncounted);
        var counts = new InventoryImportCounts(staged.Rows, winners, staged.Rows - resolved, winners - (int)applied.Changed,
            resolved - winners, (int)applied.Deleted, (int)applied.ByJoin);
        var errorLog = await ErrorLogAsync(transaction, upload.IdUpload, counts, ct);
        if (firstLoad)
        {
            await connection.ExecuteAsync(new CommandDefinition("DROP VIEW pg_temp.inventory_pending", transaction: transaction, cancellationToken: ct));
        }
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
        if (applied.Changed + applied.Deleted >= AnalyzeAfterRows)
        {
            // Autovacuum gets to it later; until then the next upload of this bodega would be planned for the old row count.
            await connection.ExecuteAsync(new CommandDefinition("ANALYZE warehouse_inventory", commandTimeout: 0, cancellationToken: ct));
        }
        return counts;
    }

    private const int AnalyzeAfterRows = 50_000;

    // The hash joins and the per-row aggregate of a 1M-row file fit in memory at this size; JIT compiling the big
    // statement costs more than it saves.
    private const string Prepare = """
        SELECT pg_advisory_xact_lock(@lockClass, @userId);
        SET LOCAL work_mem = '256MB';
        SET LOCAL jit = off;
        DELETE FROM inventory_upload_errors WHERE upload_id = @idUpload;
        """;

    // The rows the apply has to look at: valid, not replaced later in the file (see RowDeduplicator), and not unchanged.
    // A row is unchanged when a row of the bodega holds its source (number, brand, location as the file gave them) and
    // its values: it keeps the part it has, without matching the catalog again, and is never written. known_id is the
    // row holding the source when the values differ (see cleared). Only the pending rows are written here, so a re-upload
    // that changes little stages little. A table, not a CTE, for the planner's statistics.
    private const string Pending = """
        CREATE TEMP TABLE inventory_pending ON COMMIT DROP AS
        SELECT s.row_number, s.part_number, s.part_number_norm, s.brand, s.price, s.stock, s.location, s.min_order,
               wi.id_inventory AS known_id
        FROM inventory_staging s
        LEFT JOIN warehouse_inventory wi
          ON wi.user_id = @userId
         AND wi.source_part_number_norm = s.part_number_norm
         AND coalesce(wi.source_brand, '') = coalesce(s.brand, '')
         AND wi.warehouse_location = s.location
        WHERE s.error IS NULL AND NOT EXISTS (SELECT FROM unnest(@superseded::integer[]) d(row_number) WHERE d.row_number = s.row_number)
          AND (wi.id_inventory IS NULL OR (wi.price, wi.stock_quantity, wi.min_order_quantity) <> (s.price, s.stock, s.min_order));
        ANALYZE pg_temp.inventory_pending;
        SELECT count(*) FROM inventory_pending;
        """;

    private const string HasNoInventory = "SELECT NOT EXISTS (SELECT FROM warehouse_inventory WHERE user_id = @userId)";

    // inventory_pending for a bodega with no inventory yet: a view of the staged rows. (A view cannot take parameters, so
    // the replaced rows go to a table; the view is dropped before commit, the table with it.)
    private const string PendingAll = """
        CREATE TEMP TABLE inventory_superseded ON COMMIT DROP AS SELECT unnest(@superseded::integer[]) AS row_number;
        CREATE TEMP VIEW inventory_pending AS
        SELECT s.row_number, s.part_number, s.part_number_norm, s.brand, s.price, s.stock, s.location, s.min_order,
               NULL::bigint AS known_id
        FROM inventory_staging s
        WHERE s.error IS NULL AND NOT EXISTS (SELECT FROM inventory_superseded d WHERE d.row_number = s.row_number);
        """;

    // The unchanged rows themselves (the complement of inventory_pending), only when the apply needs them (@keep): a file
    // with brands checks them for collisions, a replace keeps their bodega rows. Otherwise they are only counted.
    private const string Kept = """
        CREATE TEMP TABLE inventory_kept ON COMMIT DROP AS
        SELECT s.row_number, wi.id_inventory, wi.part_id, wi.aftermarket_part_id, coalesce(wi.part_id, -wi.aftermarket_part_id) AS item,
               s.brand, s.location
        FROM inventory_staging s
        JOIN warehouse_inventory wi
          ON wi.user_id = @userId
         AND wi.source_part_number_norm = s.part_number_norm
         AND coalesce(wi.source_brand, '') = coalesce(s.brand, '')
         AND wi.warehouse_location = s.location
        WHERE @keep AND s.error IS NULL
          AND NOT EXISTS (SELECT FROM unnest(@superseded::integer[]) d(row_number) WHERE d.row_number = s.row_number)
          AND (wi.price, wi.stock_quantity, wi.min_order_quantity) = (s.price, s.stock, s.min_order);
        ANALYZE pg_temp.inventory_kept;
        """;

    // One pass over the pending rows, pipelined:
    // - matched: each pending row with its number of candidates and the part chosen. Candidates are the OEM and
    //   aftermarket parts with the row's normalised number. A brand narrows them down when it names the candidate's
    //   manufacturer: tier 1 = OEM of that brand, 2 = aftermarket of that brand, 3 = any OEM, 4 = any aftermarket. The best
    //   non-empty tier must hold exactly one part; more is ambiguous, none is not found.
    //   With many rows (@fast), one pass over the catalog collects the parts whose number a pending row has (hits) and
    //   counts them per number. A row whose number has at most one such part gets that part whatever the brand says (or
    //   none: not found) without ranking (fast_matched); only rows with a shared number are ranked (slow_rows/candidates/
    //   tiers), among the hits. Without @fast every row is ranked against the catalog, which costs less for few rows.
    //   (The pass used to find every shared number of the whole catalog first, 1.35M numbers in order: with 100,000
    //   changed rows on the full catalog the apply took 6.3-7.4 s, now 4.1-4.3 s.)
    // - collided: rows naming one part and location with different brand spellings (the file's last row wins); only rows
    //   that give a brand can collide, so kept rows join in only when the file has brands (@brands), and without brands
    //   this costs nothing.
    // - changes: new or changed rows joined to the bodega's rows by part and location; rows whose values are the same are
    //   only given the file's source (no new updated_at), so that the next upload keeps them. Two joins, each on a unique
    //   index (OEM part, aftermarket part), where one on coalesce(part_id, -aftermarket_part_id) has no index: the few
    //   changed rows of a re-upload then probe the index instead of sorting all the bodega's rows. A first load
    //   (@firstLoad: the bodega has no rows) skips both, as it would find nothing.
    // - inserted: in part order. The rows come out of the catalog join in part-number order, which on a real catalog is
    //   no order of ids: each row's foreign-key check and index entries would then land on a random page of parts and of
    //   the inventory's indexes (a 1M-row first load on the full catalog: 84 s unsorted, 47 s sorted, on a busy machine).
    // - cleared: one row of the bodega holds a source; a row that held it while the catalog now sends it elsewhere lets go.
    // PostgreSQL 15 hashes the inner side of NOT EXISTS, so the small sets (superseded, losers) are the hashed ones.
    private const string Apply = """
        WITH superseded AS (
            SELECT d.row_number, d.winner FROM unnest(@superseded::integer[], @winners::integer[]) AS d(row_number, winner)
        ), catalog AS NOT MATERIALIZED (
            SELECT p.oem_part_number_norm AS norm, p.id_part AS id, 3 AS tier, p.id_manufacture AS manufacturer_id FROM parts p
            UNION ALL
            SELECT a.part_number_norm, a.id_aftermarket_parts, 4, a.manufacturer_id FROM aftermarket_parts a
        ), hits AS MATERIALIZED (
            SELECT c.norm, c.id, c.tier, c.manufacturer_id
            FROM catalog c
            WHERE @fast AND c.norm IN (SELECT part_number_norm FROM inventory_pending)
        ), hit_counts AS MATERIALIZED (
            SELECT norm, count(*) AS n, min(id) AS id, min(tier) AS tier FROM hits GROUP BY norm
        ), fast_matched AS (
            SELECT r.row_number, r.part_number, r.part_number_norm, r.brand, r.price, r.stock, r.location, r.min_order,
                   coalesce(h.n, 0) AS candidates,
                   CASE WHEN h.tier = 3 THEN h.id END AS part_id,
                   CASE WHEN h.tier = 4 THEN h.id END AS aftermarket_part_id, true AS by_join
            FROM inventory_pending r
            LEFT JOIN hit_counts h ON h.norm = r.part_number_norm
            WHERE @fast AND coalesce(h.n, 0) <= 1
        ), slow_rows AS (
            SELECT r.row_number, r.part_number, r.part_number_norm, r.brand, r.price, r.stock, r.location, r.min_order
            FROM inventory_pending r
            WHERE NOT @fast OR EXISTS (SELECT FROM hit_counts h WHERE h.norm = r.part_number_norm AND h.n > 1)
        ), candidate_parts AS NOT MATERIALIZED (
            SELECT norm, id, tier, manufacturer_id FROM hits WHERE @fast
            UNION ALL
            SELECT norm, id, tier, manufacturer_id FROM catalog WHERE NOT @fast
        ), candidates AS (
            SELECT r.row_number, r.part_number, r.part_number_norm, r.brand, r.price, r.stock, r.location, r.min_order, c.id,
                   CASE WHEN c.id IS NULL THEN NULL
                        WHEN r.brand IS NOT NULL
                         AND (SELECT search_text(m.name_manufacture) FROM manufacturers m WHERE m.id_manufacture = c.manufacturer_id) = search_text(r.brand)
                        THEN c.tier - 2
                        ELSE c.tier END AS tier
            FROM slow_rows r
            LEFT JOIN candidate_parts c ON c.norm = r.part_number_norm
            OFFSET 0
        ), tiers AS (
            SELECT row_number, min(part_number) AS part_number, min(part_number_norm) AS part_number_norm, min(brand) AS brand,
                   min(price) AS price, min(stock) AS stock, min(location) AS location, min(min_order) AS min_order,
                   min((tier::bigint << 32) | id) AS best,
                   count(*) FILTER (WHERE tier = 1) AS n1, count(*) FILTER (WHERE tier = 2) AS n2,
                   count(*) FILTER (WHERE tier = 3) AS n3, count(*) FILTER (WHERE tier = 4) AS n4
            FROM candidates
            GROUP BY row_number
        ), matched AS MATERIALIZED (
            SELECT row_number, part_number, part_number_norm, brand, price, stock, location, min_order, candidates, part_id, aftermarket_part_id,
                   by_join
            FROM fast_matched
            UNION ALL
            SELECT row_number, part_number, part_number_norm, brand, price, stock, location, min_order,
                   CASE best >> 32 WHEN 1 THEN n1 WHEN 2 THEN n2 WHEN 3 THEN n3 WHEN 4 THEN n4 ELSE 0 END AS candidates,
                   CASE WHEN best >> 32 IN (1, 3) THEN (best & 4294967295)::integer END AS part_id,
                   CASE WHEN best >> 32 IN (2, 4) THEN (best & 4294967295)::integer END AS aftermarket_part_id, false
            FROM tiers
        ), resolved AS NOT MATERIALIZED (
            SELECT row_number, part_id, aftermarket_part_id, coalesce(part_id, -aftermarket_part_id) AS item,
                   part_number_norm, brand, price, stock, location, min_order, false AS kept, by_join
            FROM matched
            WHERE candidates = 1
            UNION ALL
            SELECT row_number, part_id, aftermarket_part_id, item, NULL, brand, NULL, NULL, location, NULL, true, false
            FROM inventory_kept
            WHERE @brands
        ), collided AS MATERIALIZED (
            SELECT row_number, max(row_number) OVER (PARTITION BY item, location) AS winner
            FROM resolved
            WHERE (item, location) IN (SELECT item, location FROM resolved WHERE brand IS NOT NULL)
        ), losers AS NOT MATERIALIZED (
            SELECT row_number, winner FROM collided WHERE row_number <> winner
        ), winners AS (
            SELECT r.* FROM resolved r
            WHERE NOT EXISTS (SELECT FROM losers l WHERE l.row_number = r.row_number)
        ), changes AS MATERIALIZED (
            SELECT w.row_number, w.part_id, w.aftermarket_part_id, w.part_number_norm, w.brand, w.price, w.stock, w.location, w.min_order,
                   wi.id_inventory,
                   wi.id_inventory IS NULL
                       OR (wi.price, wi.stock_quantity, wi.min_order_quantity) IS DISTINCT FROM (w.price, w.stock, w.min_order) AS changed
            FROM winners w
            LEFT JOIN warehouse_inventory wp
                   ON NOT @firstLoad AND wp.user_id = @userId AND wp.part_id = w.part_id AND wp.warehouse_location = w.location
            LEFT JOIN warehouse_inventory wa
                   ON NOT @firstLoad AND wa.user_id = @userId AND wa.aftermarket_part_id = w.aftermarket_part_id
                  AND wa.warehouse_location = w.location AND wa.aftermarket_part_id IS NOT NULL
            CROSS JOIN LATERAL (
                SELECT coalesce(wp.id_inventory, wa.id_inventory) AS id_inventory, coalesce(wp.price, wa.price) AS price,
                       coalesce(wp.stock_quantity, wa.stock_quantity) AS stock_quantity,
                       coalesce(wp.min_order_quantity, wa.min_order_quantity) AS min_order_quantity,
                       coalesce(wp.source_part_number_norm, wa.source_part_number_norm) AS source_part_number_norm,
                       coalesce(wp.source_brand, wa.source_brand) AS source_brand
            ) wi
            WHERE NOT w.kept
              AND (wi.id_inventory IS NULL
                OR (wi.price, wi.stock_quantity, wi.min_order_quantity) IS DISTINCT FROM (w.price, w.stock, w.min_order)
                OR (wi.source_part_number_norm, wi.source_brand) IS DISTINCT FROM (w.part_number_norm, w.brand))
        ), updated AS (
            UPDATE warehouse_inventory wi
            SET price = c.price, stock_quantity = c.stock, min_order_quantity = c.min_order,
                source_part_number_norm = c.part_number_norm, source_brand = c.brand,
                updated_at = CASE WHEN c.changed THEN now() ELSE wi.updated_at END
            FROM changes c
            WHERE c.id_inventory IS NOT NULL AND wi.id_inventory = c.id_inventory
        ), inserted AS (
            INSERT INTO warehouse_inventory (user_id, part_id, aftermarket_part_id, price, stock_quantity, min_order_quantity, warehouse_location,
                                             source_part_number_norm, source_brand)
            SELECT @userId, part_id, aftermarket_part_id, price, stock, min_order, location, part_number_norm, brand
            FROM changes
            WHERE id_inventory IS NULL
            ORDER BY part_id, aftermarket_part_id
        ), cleared AS (
            UPDATE warehouse_inventory wi
            SET source_part_number_norm = NULL, source_brand = NULL
            FROM changes c
            JOIN inventory_pending h ON h.row_number = c.row_number AND h.known_id IS NOT NULL
            WHERE NOT @replace -- (replace deletes such a row: the file does not list its part there)
              AND wi.id_inventory = h.known_id
              AND h.known_id IS DISTINCT FROM c.id_inventory
              AND wi.id_inventory NOT IN (SELECT id_inventory FROM changes WHERE id_inventory IS NOT NULL)
        ), deleted AS (
            -- Replace: within the locations the file lists, what the file no longer has is gone from the bodega.
            DELETE FROM warehouse_inventory wi
            WHERE @replace
              AND wi.user_id = @userId
              AND wi.warehouse_location IN (SELECT location FROM inventory_staging WHERE error IS NULL)
              AND NOT EXISTS (
                  SELECT FROM winners w WHERE w.item = coalesce(wi.part_id, -wi.aftermarket_part_id) AND w.location = wi.warehouse_location)
              AND NOT EXISTS (SELECT FROM inventory_kept k WHERE k.id_inventory = wi.id_inventory)
            RETURNING 1
        ), superseded_rejected AS (
            SELECT d.row_number, m.candidates FROM superseded d JOIN matched m ON m.row_number = d.winner WHERE m.candidates <> 1
        ), recorded_rejected AS (
            INSERT INTO inventory_upload_errors (upload_id, row_number, kind, reason, raw_values)
            SELECT @idUpload, row_number, 'error', left(reason, 500), raw_values
            FROM (
                SELECT row_number, error AS reason, raw_values FROM inventory_staging WHERE error IS NOT NULL
                UNION ALL
                SELECT m.row_number,
                       CASE WHEN m.candidates = 0 THEN 'Número de parte no encontrado en el catálogo: ' || m.part_number
                            ELSE 'Número de parte ambiguo (' || m.candidates || ' piezas lo usan): indica la marca' END,
                       ARRAY[m.part_number, m.price::text, m.stock::text, m.location, m.min_order::text, m.brand]
                FROM matched m WHERE m.candidates <> 1
                UNION ALL
                SELECT s.row_number,
                       CASE WHEN x.candidates = 0 THEN 'Número de parte no encontrado en el catálogo: ' || s.part_number
                            ELSE 'Número de parte ambiguo (' || x.candidates || ' piezas lo usan): indica la marca' END,
                       ARRAY[s.part_number, s.price::text, s.stock::text, s.location, s.min_order::text, s.brand]
                FROM inventory_staging s JOIN superseded_rejected x USING (row_number)
            ) rejected
            ORDER BY row_number
            LIMIT @maxStoredErrors
        ), recorded_duplicates AS (
            -- A replaced row is a duplicate when its winner was imported (resolved) or kept; kept winners are the ones not
            -- pending (a winner is valid and last of its key, so it is one or the other), already in resolved with @brands.
            INSERT INTO inventory_upload_errors (upload_id, row_number, kind, reason, raw_values)
            SELECT @idUpload, x.row_number, 'duplicate', 'Fila repetida: la fila ' || x.winner || ' la reemplaza',
                   ARRAY[s.part_number, s.price::text, s.stock::text, s.location, s.min_order::text, s.brand]
            FROM (
                SELECT d.row_number, coalesce(c.winner, d.winner) AS winner
                FROM superseded d
                JOIN (SELECT row_number FROM resolved
                      UNION ALL
                      SELECT DISTINCT k.winner FROM superseded k
                      WHERE NOT @brands AND NOT EXISTS (SELECT FROM inventory_pending p WHERE p.row_number = k.winner)) w
                  ON w.row_number = d.winner
                LEFT JOIN collided c ON c.row_number = d.winner
                UNION ALL
                SELECT row_number, winner FROM losers
            ) x
            JOIN inventory_staging s USING (row_number)
            ORDER BY x.row_number
            LIMIT @maxStoredErrors
        )
        SELECT r.resolved, r.by_join,
               (SELECT count(*) FROM winners) AS winners,
               (SELECT count(*) FILTER (WHERE changed) FROM changes) AS changed,
               (SELECT count(*) FROM deleted) AS deleted,
               (SELECT count(*) FROM superseded_rejected) AS superseded_rejected
        FROM (SELECT count(*) AS resolved, count(*) FILTER (WHERE by_join) AS by_join FROM resolved) r
        """;

    private const string Complete = """
        UPDATE inventory_uploads
        SET status = 'completed', rows_total = @rowsTotal, rows_imported = @rowsImported, rows_errors = @rowsErrors,
            rows_unchanged = @rowsUnchanged, duplicates = @duplicates, rows_deleted = @rowsDeleted,
            rows_processed = @rowsTotal, error_log = @errorLog, completed_at = clock_timestamp(), claim_token = NULL
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
