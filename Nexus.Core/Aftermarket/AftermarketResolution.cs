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

    public static async Task ResolveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int idFrom, int idTo, CancellationToken cancellationToken)
    {
        await Execute(connection, transaction, CreateBatchTableSql, null, cancellationToken);
        await Execute(connection, transaction, ParseSql, new { idFrom, idTo }, cancellationToken);
        await Execute(connection, transaction, ResolveByCrossReferenceSql, null, cancellationToken);
        await Execute(connection, transaction, ResolveByVehiclesSql, new { minShared = MinSharedVehicles, minPercent = MinSharedVehiclesPercent }, cancellationToken);
        await Execute(connection, transaction, MarkUnresolvedSql, new { minShared = MinSharedVehicles, minPercent = MinSharedVehiclesPercent }, cancellationToken);
    }

    /// <summary>Fills aftermarket_batch.aftermarket_part_id with the matching aftermarket_parts row, if there is one.</summary>
    public static Task FindAftermarketRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        Execute(connection, transaction, FindAftermarketRowsSql, null, cancellationToken);

    private static Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    private const string CreateBatchTableSql = """
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
            oem_part_id         integer,
            resolved_by         varchar(20),
            aftermarket_part_id integer,
            reason              varchar(2000)
        ) ON COMMIT DROP
        """;

    // The manufacturer is the longest trailing '-'-separated suffix naming a manufacturer (case-insensitive):
    // every suffix k.. of the segments is a candidate and the smallest k that matches wins, so
    // 'AFT-10-0058-Airstal' → ('10-0058', Airstal) and 'AFT-X1-MEAT-DORIA' → ('X1', MEAT-DORIA).
    private const string ParseSql = """
        INSERT INTO aftermarket_batch (id_part, aft_part_number, name_part, id_category, vehicle_count,
                                       manufacturer_id, supplier, article_number, article_norm, reason)
        SELECT p.id_part, p.oem_part_number, p.name_part, p.id_category,
               (SELECT count(*) FROM vehicle_parts vp WHERE vp.part_id = p.id_part),
               s.id_manufacture, s.supplier, s.article, normalize_part_number(s.article),
               CASE
                   WHEN s.id_manufacture IS NULL THEN 'no_manufacturer: no trailing part of the number names a known manufacturer'
                   WHEN normalize_part_number(s.article) = '' THEN 'empty_part_number: nothing before the manufacturer'
                   WHEN EXISTS (SELECT 1 FROM aftermarket_parts a WHERE a.oem_part_id = p.id_part)
                       THEN 'referenced_as_oem: aftermarket_parts rows use this AFT part as their OEM part'
               END
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
        WHERE p.oem_part_number LIKE 'AFT-%' AND p.id_part BETWEEN @idFrom AND @idTo;
        ANALYZE aftermarket_batch
        """;

    // Cross references that an earlier batch moved onto an OEM part are ignored, so that the outcome
    // never depends on which batch ran first.
    private const string ResolveByCrossReferenceSql = """
        UPDATE aftermarket_batch b
        SET oem_part_id = match.part_id, resolved_by = 'cross_reference'
        FROM (
            SELECT DISTINCT ON (b2.id_part) b2.id_part, x.part_id
            FROM aftermarket_batch b2
            JOIN part_cross_references x
              ON x.cross_reference_number_norm = b2.article_norm AND lower(x.source_ref) = lower(b2.supplier)
            JOIN parts oem ON oem.id_part = x.part_id AND oem.oem_part_number NOT LIKE 'AFT-%'
            WHERE b2.reason IS NULL
              AND NOT EXISTS (SELECT 1 FROM aftermarket_migration_moved_cross_references mv
                              WHERE mv.id_cross_reference = x.id_cross_reference)
            ORDER BY b2.id_part, x.part_id
        ) match
        WHERE b.id_part = match.id_part
        """;

    // Vehicle links that a migration added are ignored for the same reason (see the migration's comment).
    private const string ResolveByVehiclesSql = """
        UPDATE aftermarket_batch b
        SET oem_part_id = best.candidate, resolved_by = 'vehicles'
        FROM (
            SELECT DISTINCT ON (shared.id_part) shared.id_part, shared.candidate
            FROM (
                SELECT b2.id_part, b2.vehicle_count, vp2.part_id AS candidate, count(*) AS vehicles
                FROM aftermarket_batch b2
                JOIN vehicle_parts vp1 ON vp1.part_id = b2.id_part
                JOIN vehicle_parts vp2 ON vp2.vehicle_id = vp1.vehicle_id
                JOIN parts oem ON oem.id_part = vp2.part_id
                WHERE b2.reason IS NULL AND b2.oem_part_id IS NULL
                  AND oem.id_category = b2.id_category
                  AND oem.oem_part_number NOT LIKE 'AFT-%'
                  AND NOT EXISTS (SELECT 1 FROM aftermarket_migration_added_vehicle_parts added
                                  WHERE added.vehicle_id = vp2.vehicle_id AND added.part_id = vp2.part_id)
                GROUP BY b2.id_part, b2.vehicle_count, vp2.part_id
            ) shared
            WHERE shared.vehicles >= @minShared AND shared.vehicles * 100 >= shared.vehicle_count * @minPercent
            ORDER BY shared.id_part, shared.vehicles DESC, shared.candidate
        ) best
        WHERE b.id_part = best.id_part
        """;

    private const string MarkUnresolvedSql = """
        UPDATE aftermarket_batch
        SET reason = format('no_oem_part: no cross reference %s/%s, and no OEM part of the same category shares at least %s and %s%% of its %s vehicles',
                            article_number, supplier, @minShared, @minPercent, vehicle_count)
        WHERE reason IS NULL AND oem_part_id IS NULL
        """;

    private const string FindAftermarketRowsSql = """
        UPDATE aftermarket_batch b
        SET aftermarket_part_id = a.id_aftermarket_parts
        FROM aftermarket_parts a
        WHERE b.oem_part_id IS NOT NULL
          AND a.oem_part_id = b.oem_part_id AND a.manufacturer_id = b.manufacturer_id AND a.part_number_norm = b.article_norm
        """;
}
