using Dapper;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Parses and resolves the AFT parts of one id range into the temp table aftermarket_batch, set-based:
/// <c>AFT-{articleNo}-{supplier}</c> → manufacturer, article number and the OEM part it belongs to.
/// Reads the catalog only; <see cref="AftermarketCatalogChanges"/> applies the result.
/// </summary>
public static class AftermarketResolution
{
    /// <summary>
    /// The vehicle fallback links an AFT part to the same-category OEM part sharing the most of its vehicles
    /// (ties: lowest id_part), but only when they share at least this many vehicles ...
    /// </summary>
    public const int MinSharedVehicles = 2;

    /// <summary>... and at least this share (percent) of the AFT part's vehicles. Below that it stays unresolved:
    /// a wrong OEM link is worse than an AFT part kept and listed for review.</summary>
    public const int MinSharedVehiclesPercent = 50;

    public static async Task ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, int idFrom, int idTo, CancellationToken cancellationToken)
    {
        await Execute(connection, transaction, CreateBatchTableSql, null, cancellationToken);
        await Execute(connection, transaction, ParseAndResolveByCrossReferenceSql, new { idFrom, idTo }, cancellationToken);
        await Execute(connection, transaction, ResolveByVehiclesSql, new { runId, minShared = MinSharedVehicles, minPercent = MinSharedVehiclesPercent }, cancellationToken);
    }

    private static Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    // Batch statements are few and large: JIT compilation costs more than it saves, and sorts and hashes of a
    // batch fit in memory.
    internal const string SessionSettingsSql = """
        SET LOCAL jit = off;
        SET LOCAL work_mem = '256MB'
        """;

    internal const string CreateBatchTableSql = """
        CREATE TEMP TABLE aftermarket_batch (
            id_part             integer PRIMARY KEY,
            aft_part_number     varchar(100) NOT NULL,
            name_part           varchar(300) NOT NULL,
            id_category         integer,
            vehicle_count       integer NOT NULL,
            manufacturer_id     integer,
            supplier            text,
            article_number      varchar(100),
            article_norm        text,
            reason              varchar(2000),
            oem_part_id         integer,
            resolved_by         varchar(20)
        ) ON COMMIT DROP
        """;

    // The manufacturer is the longest trailing '-'-separated suffix naming a manufacturer (case-insensitive):
    // every suffix k.. of the segments is a candidate and the smallest k that matches wins, so
    // 'AFT-10-0058-Airstal' → ('10-0058', Airstal) and 'AFT-X1-MEAT-DORIA' → ('X1', MEAT-DORIA).
    // The cross reference (article, supplier) is looked up in the same pass. Cross references that an earlier
    // batch moved onto an OEM part are ignored, so that the outcome never depends on which batch ran first.
    // "Not an AFT part" is asked of the small partial index parts_aft_prefix, not of the parts heap (a random read per match).
    internal const string ParseAndResolveByCrossReferenceSql = """
        WITH parsed AS (
            SELECT p.id_part, p.oem_part_number, p.name_part, p.id_category,
                   (SELECT count(*) FROM vehicle_parts vp WHERE vp.part_id = p.id_part) AS vehicle_count,
                   s.id_manufacture, s.supplier, s.article, normalize_part_number(s.article) AS article_norm,
                   CASE
                       WHEN s.id_manufacture IS NULL THEN 'no_manufacturer: no trailing part of the number names a known manufacturer'
                       WHEN normalize_part_number(s.article) = '' THEN 'empty_part_number: nothing before the manufacturer'
                       WHEN EXISTS (SELECT 1 FROM aftermarket_parts a WHERE a.oem_part_id = p.id_part)
                           THEN 'referenced_as_oem: aftermarket_parts rows use this AFT part as their OEM part'
                   END AS reason
            FROM parts p
            CROSS JOIN LATERAL (SELECT string_to_array(substr(p.oem_part_number, 5), '-') AS segments) seg
            LEFT JOIN LATERAL (
                SELECT m.id_manufacture,
                       array_to_string(seg.segments[k:], '-') AS supplier,
                       array_to_string(seg.segments[1:k - 1], '-') AS article
                FROM generate_series(2, cardinality(seg.segments)) AS k
                JOIN manufacturers m ON lower(m.name_manufacture) = lower(array_to_string(seg.segments[k:], '-'))
                ORDER BY k
                LIMIT 1
            ) s ON true
            WHERE p.oem_part_number LIKE 'AFT-%' AND p.id_part BETWEEN @idFrom AND @idTo
        ),
        cross_referenced AS (
            SELECT DISTINCT ON (parsed.id_part) parsed.id_part, x.part_id
            FROM parsed
            JOIN part_cross_references x
              ON x.cross_reference_number_norm = parsed.article_norm AND lower(x.source_ref) = lower(parsed.supplier)
            WHERE parsed.reason IS NULL
              AND NOT EXISTS (SELECT 1 FROM parts aft WHERE aft.id_part = x.part_id AND aft.oem_part_number LIKE 'AFT-%')
              AND x.id_cross_reference NOT IN (SELECT mv.id_cross_reference FROM aftermarket_migration_moved_cross_references mv)
            ORDER BY parsed.id_part, x.part_id
        )
        INSERT INTO aftermarket_batch (id_part, aft_part_number, name_part, id_category, vehicle_count,
                                       manufacturer_id, supplier, article_number, article_norm, reason, oem_part_id, resolved_by)
        SELECT parsed.*, x.part_id, CASE WHEN x.part_id IS NOT NULL THEN 'cross_reference' END
        FROM parsed
        LEFT JOIN cross_referenced x ON x.id_part = parsed.id_part;
        ANALYZE aftermarket_batch
        """;

    // The OEM vehicle links come from the run's snapshot (taken when it was planned, without links a migration
    // added), so a batch never sees another batch's relinking and a dry run computes what a real run does.
    // An AFT part with fewer vehicles than the minimum cannot qualify and is not looked at.
    internal const string ResolveByVehiclesSql = """
        UPDATE aftermarket_batch b
        SET oem_part_id = best.candidate, resolved_by = 'vehicles'
        FROM (
            SELECT DISTINCT ON (shared.id_part) shared.id_part, shared.candidate
            FROM (
                SELECT b2.id_part, b2.vehicle_count, candidate, count(*) AS vehicles
                FROM aftermarket_batch b2
                JOIN vehicle_parts vp ON vp.part_id = b2.id_part
                JOIN aftermarket_migration_oem_vehicle_parts oem
                  ON oem.run_id = @runId AND oem.vehicle_id = vp.vehicle_id AND oem.id_category = b2.id_category
                CROSS JOIN LATERAL unnest(oem.part_ids) AS candidate
                WHERE b2.reason IS NULL AND b2.oem_part_id IS NULL AND b2.vehicle_count >= @minShared
                GROUP BY b2.id_part, b2.vehicle_count, candidate
            ) shared
            WHERE shared.vehicles >= @minShared AND shared.vehicles * 100 >= shared.vehicle_count * @minPercent
            ORDER BY shared.id_part, shared.vehicles DESC, shared.candidate
        ) best
        WHERE b.id_part = best.id_part
        """;

    /// <summary>Why an AFT part that parsed stays unresolved (used when its item is recorded).</summary>
    internal const string NoOemPartReasonSql = """
        format('no_oem_part: no cross reference %s/%s, and no OEM part of the same category shares at least %s and %s%% of its %s vehicles',
               b.article_number, b.supplier, @minShared, @minPercent, b.vehicle_count)
        """;
}
