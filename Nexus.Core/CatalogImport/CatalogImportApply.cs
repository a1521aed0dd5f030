using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Nexus.Core.CatalogImport;

public sealed record CatalogImportCounts(
    int RowsTotal,
    int RowsImported,
    int RowsRejected,
    int RowsWithProblems,
    int AftermarketCreated,
    int AftermarketUpdated,
    int AftermarketUnchanged,
    int VehicleLinksCreated,
    IReadOnlyDictionary<string, int> ProblemCounts)
{
    public int Problems => ProblemCounts.Values.Sum();
}

/// <summary>Stage names at which a test can stop the import to prove a crash leaves the catalog as it was.</summary>
public enum CatalogImportStage
{
    Staged,
    BeforeCommit,
}

/// <summary>
/// Applies the staged article rows to the catalog in one transaction: resolve supplier, category and OEM numbers,
/// record every problem with its row number, add the vehicle links of the linked OEM parts, upsert aftermarket_parts
/// on its natural key, complete the import. Never writes parts: an article becomes aftermarket rows of existing OEM
/// parts or nothing, and a number that only an AFT- part carries is reported, not linked. A failure anywhere rolls all of it back.
/// </summary>
public sealed class CatalogImportApply(NpgsqlConnection connection)
{
    // Imports hold this lock for their transaction: one feed is applied at a time, so counts never depend on another
    // import committing halfway through (inserts also run in key order, as the AFT- migration's do).
    public const int CatalogImportLockClass = 40_001;

    private sealed record ProblemTotals(string ProblemCounts, int RowsWithProblems);

    private sealed record AftermarketTotals(int Wanted, int Created, int Updated, int RowsImported);

    public async Task<CatalogImportCounts> RunAsync(ClaimedImport import, Guid token, int rowsTotal, int maxStoredProblems,
        Func<CatalogImportStage, CancellationToken, Task> stageReached, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(Prepare, new { import.IdImport, lockClass = CatalogImportLockClass }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(Resolve, transaction: transaction, commandTimeout: 0, cancellationToken: ct));
        var problems = await connection.QuerySingleAsync<ProblemTotals>(new CommandDefinition(RecordProblems,
            new { import.IdImport, maxStoredProblems }, transaction, commandTimeout: 0, cancellationToken: ct));
        var linksCreated = await connection.ExecuteAsync(new CommandDefinition(CreateVehicleLinks, transaction: transaction, commandTimeout: 0, cancellationToken: ct));
        var aftermarket = await connection.QuerySingleAsync<AftermarketTotals>(new CommandDefinition(UpsertAftermarket,
            transaction: transaction, commandTimeout: 0, cancellationToken: ct));

        var problemCounts = JsonSerializer.Deserialize<Dictionary<string, int>>(problems.ProblemCounts) ?? [];
        var counts = new CatalogImportCounts(rowsTotal, aftermarket.RowsImported, rowsTotal - aftermarket.RowsImported, problems.RowsWithProblems,
            aftermarket.Created, aftermarket.Updated, aftermarket.Wanted - aftermarket.Created - aftermarket.Updated, linksCreated, problemCounts);
        var errorLog = await ErrorLogAsync(transaction, import.IdImport, counts.Problems, ct);
        await stageReached(CatalogImportStage.BeforeCommit, ct);

        var completed = await connection.ExecuteAsync(new CommandDefinition(Complete, new
        {
            import.IdImport, token, counts.RowsTotal, counts.RowsImported, counts.RowsRejected, counts.RowsWithProblems,
            counts.AftermarketCreated, counts.AftermarketUpdated, counts.AftermarketUnchanged, counts.VehicleLinksCreated,
            problemCounts = problems.ProblemCounts, errorLog,
        }, transaction, cancellationToken: ct));
        if (completed == 0)
        {
            // Another worker took the import over (this one looked dead): let it finish, change nothing here.
            throw new CatalogImportClaimLostException(import.IdImport);
        }
        await transaction.CommitAsync(ct);
        return counts;
    }

    private const string Prepare = """
        SELECT pg_advisory_xact_lock(@lockClass, 0);
        SET LOCAL work_mem = '256MB';
        SET LOCAL jit = off;
        DELETE FROM catalog_import_problems WHERE import_id = @idImport;
        """;

    // - rows: the usable rows with their supplier's manufacturer (the one whose name_manufacture equals the supplier, any
    //   case; manufacturers_name_ci makes it unique) and the categories their category names (any case).
    // - oem: each (row, OEM number) with every part of that normalised number; a number no part has gives one row
    //   without a part. in_category: the part is of the row's category, has none, or the row gives no known category.
    // - links: what the import writes, rows with a known supplier (and a known category when they give one) to real OEM
    //   parts of their category; never to an AFT- part.
    private const string Resolve = """
        CREATE TEMP TABLE catalog_import_rows ON COMMIT DROP AS
        SELECT s.row_number, s.supplier, s.article_number, normalize_part_number(s.article_number) AS article_norm, s.name, s.category,
               s.oem_numbers, s.vehicle_ids, s.bad_vehicle_ids, m.id_manufacture AS manufacturer_id, c.ids AS category_ids
        FROM catalog_import_staging s
        LEFT JOIN manufacturers m ON lower(m.name_manufacture) = lower(s.supplier)
        LEFT JOIN (SELECT lower(name_category) AS name, array_agg(id_category) AS ids FROM categories GROUP BY 1) c ON c.name = lower(s.category)
        WHERE s.error IS NULL;

        CREATE TEMP TABLE catalog_import_oem ON COMMIT DROP AS
        SELECT r.row_number, o.position, o.number, p.id_part, p.oem_part_number LIKE 'AFT-%' AS aft,
               (r.category_ids IS NULL OR p.id_category IS NULL OR p.id_category = ANY (r.category_ids)) AS in_category
        FROM catalog_import_rows r
        CROSS JOIN LATERAL unnest(r.oem_numbers) WITH ORDINALITY AS o(number, position)
        LEFT JOIN parts p ON p.oem_part_number_norm = normalize_part_number(o.number);

        CREATE TEMP TABLE catalog_import_links ON COMMIT DROP AS
        SELECT DISTINCT o.row_number, o.id_part AS part_id
        FROM catalog_import_oem o
        JOIN catalog_import_rows r USING (row_number)
        WHERE o.id_part IS NOT NULL AND NOT o.aft AND o.in_category
          AND r.manufacturer_id IS NOT NULL AND (r.category IS NULL OR r.category_ids IS NOT NULL);

        ANALYZE catalog_import_rows;
        ANALYZE catalog_import_oem;
        ANALYZE catalog_import_links;
        """;

    // Every problem of the file in report order (row, then kind, then position in the cell), the first @maxStoredProblems
    // stored; the counts by kind are exact.
    private const string RecordProblems = """
        WITH oem AS (
            SELECT row_number, position, number,
                   count(id_part) FILTER (WHERE NOT aft) AS oem_parts,
                   count(id_part) FILTER (WHERE NOT aft AND in_category) AS in_category,
                   count(id_part) FILTER (WHERE aft) AS aft_parts
            FROM catalog_import_oem
            GROUP BY row_number, position, number
        ), problems AS MATERIALIZED (
            SELECT row_number, 0 AS rank, 0::bigint AS position, 'bad_row' AS kind, NULL::text AS value, error AS reason, supplier, article_number
            FROM catalog_import_staging
            WHERE error IS NOT NULL
            UNION ALL
            SELECT row_number, 1, 0, 'unknown_supplier', supplier,
                   'Proveedor no registrado como fabricante: ' || supplier || '. Dalo de alta en fabricantes o corrige el nombre', supplier, article_number
            FROM catalog_import_rows
            WHERE manufacturer_id IS NULL
            UNION ALL
            SELECT row_number, 2, 0, 'unknown_category', category, 'Categoría no encontrada en el catálogo: ' || category, supplier, article_number
            FROM catalog_import_rows
            WHERE category IS NOT NULL AND category_ids IS NULL
            UNION ALL
            SELECT o.row_number, 3, o.position, CASE WHEN o.oem_parts = 0 THEN 'unknown_oem' ELSE 'category_mismatch' END, o.number,
                   CASE WHEN o.oem_parts > 0 THEN 'Ninguna pieza OEM con el número ' || o.number || ' es de la categoría ' || r.category
                        WHEN o.aft_parts > 0 THEN 'El número ' || o.number || ' solo lo tiene una pieza AFT-, que no es OEM: no se liga'
                        ELSE 'Número OEM no encontrado en el catálogo: ' || o.number END,
                   r.supplier, r.article_number
            FROM oem o
            JOIN catalog_import_rows r USING (row_number)
            WHERE o.in_category = 0
            UNION ALL
            SELECT r.row_number, 4, v.position, 'unknown_vehicle', v.id::text, 'Vehículo no encontrado: ' || v.id, r.supplier, r.article_number
            FROM catalog_import_rows r
            CROSS JOIN LATERAL unnest(r.vehicle_ids) WITH ORDINALITY AS v(id, position)
            WHERE NOT EXISTS (SELECT FROM vehicles x WHERE x.id_vehicle = v.id)
            UNION ALL
            SELECT r.row_number, 5, b.position, 'unknown_vehicle', b.value,
                   'Id de vehículo no válido (debe ser un número entero): ' || b.value, r.supplier, r.article_number
            FROM catalog_import_rows r
            CROSS JOIN LATERAL unnest(r.bad_vehicle_ids) WITH ORDINALITY AS b(value, position)
        ), recorded AS (
            INSERT INTO catalog_import_problems (import_id, seq, row_number, kind, value, reason, supplier, article_number)
            SELECT @idImport, seq, row_number, kind, left(value, 300), left(reason, 500), left(supplier, 200), left(article_number, 100)
            FROM (SELECT p.*, row_number() OVER (ORDER BY p.row_number, p.rank, p.position) AS seq FROM problems p) numbered
            WHERE seq <= @maxStoredProblems
        )
        SELECT coalesce((SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, count(*) AS n FROM problems GROUP BY kind) k), '{}'::jsonb)::text AS problem_counts,
               (SELECT count(DISTINCT row_number) FROM problems)::int AS rows_with_problems
        """;

    // Only links the OEM part does not have yet: the NOT EXISTS answers from vehicle_parts' primary key; ON CONFLICT
    // covers a link added meanwhile by the AFT- migration. Never a parts row, never an AFT- part (links name real OEM parts only).
    private const string CreateVehicleLinks = """
        INSERT INTO vehicle_parts (vehicle_id, part_id)
        SELECT DISTINCT v.id, l.part_id
        FROM catalog_import_links l
        JOIN catalog_import_rows r USING (row_number)
        CROSS JOIN LATERAL unnest(r.vehicle_ids) AS v(id)
        WHERE EXISTS (SELECT FROM vehicles x WHERE x.id_vehicle = v.id)
          AND NOT EXISTS (SELECT FROM vehicle_parts e WHERE e.vehicle_id = v.id AND e.part_id = l.part_id)
        ORDER BY 1, 2
        ON CONFLICT DO NOTHING
        """;

    // One aftermarket row per (OEM part, manufacturer, normalised article number): the natural key aftermarket_parts_unique.
    // The file's last row of a key with a name wins. An existing row only changes when the feed names it differently
    // (xmax = 0 tells a new row from an updated one); its part number keeps its spelling.
    private const string UpsertAftermarket = """
        WITH wanted AS (
            SELECT DISTINCT ON (l.part_id, r.manufacturer_id, r.article_norm)
                   l.part_id, r.manufacturer_id, r.article_norm, r.article_number, r.name
            FROM catalog_import_links l
            JOIN catalog_import_rows r USING (row_number)
            ORDER BY l.part_id, r.manufacturer_id, r.article_norm, r.name IS NULL, r.row_number DESC
        ), upserted AS (
            INSERT INTO aftermarket_parts AS a (oem_part_id, manufacturer_id, part_number, name_aftermarket_parts)
            SELECT part_id, manufacturer_id, article_number, name
            FROM wanted
            ORDER BY part_id, manufacturer_id, article_norm
            ON CONFLICT (oem_part_id, manufacturer_id, part_number_norm) DO UPDATE
            SET name_aftermarket_parts = EXCLUDED.name_aftermarket_parts
            WHERE EXCLUDED.name_aftermarket_parts IS NOT NULL
              AND a.name_aftermarket_parts IS DISTINCT FROM EXCLUDED.name_aftermarket_parts
            RETURNING a.xmax = 0 AS created
        )
        SELECT (SELECT count(*) FROM wanted)::int AS wanted,
               (count(*) FILTER (WHERE created))::int AS created,
               (count(*) FILTER (WHERE NOT created))::int AS updated,
               (SELECT count(DISTINCT row_number) FROM catalog_import_links)::int AS rows_imported
        FROM upserted
        """;

    private const string Complete = """
        UPDATE catalog_imports
        SET status = 'completed', rows_total = @rowsTotal, rows_imported = @rowsImported, rows_rejected = @rowsRejected,
            rows_with_problems = @rowsWithProblems, aftermarket_created = @aftermarketCreated, aftermarket_updated = @aftermarketUpdated,
            aftermarket_unchanged = @aftermarketUnchanged, vehicle_links_created = @vehicleLinksCreated,
            problem_counts = @problemCounts::jsonb, rows_processed = @rowsTotal, error_log = @errorLog, completed_at = clock_timestamp(), claim_token = NULL
        WHERE id_import = @idImport AND claim_token = @token AND status = 'processing'
        """;

    private async Task<string?> ErrorLogAsync(NpgsqlTransaction transaction, long idImport, int problems, CancellationToken ct)
    {
        const string sql = """
            SELECT row_number, reason FROM catalog_import_problems
            WHERE import_id = @idImport
            ORDER BY seq
            LIMIT 50
            """;
        if (problems == 0)
        {
            return null;
        }
        var rows = (await connection.QueryAsync<(int RowNumber, string Reason)>(new CommandDefinition(sql, new { idImport }, transaction, cancellationToken: ct))).AsList();
        var log = new StringBuilder();
        foreach (var (rowNumber, reason) in rows)
        {
            log.Append("Fila ").Append(rowNumber).Append(": ").Append(reason).Append('\n');
        }
        if (problems > rows.Count)
        {
            log.Append("… y ").Append(problems - rows.Count).Append(" problemas más.\n");
        }
        return log.Length > 20000 ? log.ToString(0, 19999) : log.ToString();
    }
}

public sealed class CatalogImportClaimLostException(long idImport) : Exception($"Catalog import {idImport} was claimed by another worker");
