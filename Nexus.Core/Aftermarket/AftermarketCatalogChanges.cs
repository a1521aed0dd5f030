using Dapper;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Applies a resolved batch (temp table aftermarket_batch) to the catalog, set-based, archiving everything it
/// changes under the run so that <see cref="AftermarketRevert"/> can restore it. Only resolved rows are touched;
/// unresolved AFT parts stay in parts.
/// </summary>
public static class AftermarketCatalogChanges
{
    public static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, int idFrom, int idTo, CancellationToken cancellationToken)
    {
        await Execute(connection, transaction, CreateBatchLinksTableSql, new { }, cancellationToken);
        await Execute(connection, transaction, RemoveAftVehicleLinksSql, new { runId }, cancellationToken);
        await Execute(connection, transaction, MoveCrossReferencesSql, new { runId, idFrom, idTo }, cancellationToken);
        // Batches share keys: thousands of aftermarket keys (the same article written twice, in different batches) and
        // many (vehicle, OEM part) links (AFT parts of one OEM part fit the same vehicles). A batch inserting a key that a
        // running batch inserted waits for that batch to commit, so the inserts come last, each in key order (no
        // deadlocks): the wait is then only the other batch's last statements, not its whole run.
        await Execute(connection, transaction, CreateAftermarketRowsSql, new { runId }, cancellationToken);
        await AftermarketInventoryRelinking.ApplyAsync(connection, transaction, runId, cancellationToken);
        await Execute(connection, transaction, ArchiveAndDeletePartsSql, new { runId }, cancellationToken);
        await Execute(connection, transaction, AddOemVehicleLinksSql, new { runId }, cancellationToken);
    }

    private static Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    // An existing row with the same (OEM part, manufacturer, normalised number) is reused, never duplicated.
    internal const string CreateAftermarketRowsSql = """
        WITH created AS (
            INSERT INTO aftermarket_parts (oem_part_id, manufacturer_id, part_number, name_aftermarket_parts)
            SELECT DISTINCT ON (oem_part_id, manufacturer_id, article_norm) oem_part_id, manufacturer_id, article_number, name_part
            FROM aftermarket_batch
            WHERE oem_part_id IS NOT NULL
            ORDER BY oem_part_id, manufacturer_id, article_norm, id_part
            ON CONFLICT (oem_part_id, manufacturer_id, part_number_norm) DO NOTHING
            RETURNING id_aftermarket_parts
        )
        INSERT INTO aftermarket_migration_created_aftermarket_parts (run_id, aftermarket_part_id)
        SELECT @runId, id_aftermarket_parts FROM created
        """;

    // The vehicles of the batch's resolved AFT parts, as (vehicle, OEM part) links, kept when the AFT links are removed.
    internal const string CreateBatchLinksTableSql = """
        CREATE TEMP TABLE aftermarket_batch_links (
            vehicle_id  integer NOT NULL,
            oem_part_id integer NOT NULL,
            PRIMARY KEY (vehicle_id, oem_part_id)
        ) ON COMMIT DROP
        """;

    // Only links the OEM part did not have yet are added (and recorded); the others already exist. Most do: the NOT EXISTS
    // answers from the primary key index, where a conflict of ON CONFLICT would read the existing row from the heap.
    internal const string AddOemVehicleLinksSql = """
        WITH added AS (
            INSERT INTO vehicle_parts (vehicle_id, part_id)
            SELECT l.vehicle_id, l.oem_part_id
            FROM aftermarket_batch_links l
            WHERE NOT EXISTS (SELECT 1 FROM vehicle_parts e WHERE e.vehicle_id = l.vehicle_id AND e.part_id = l.oem_part_id)
            ORDER BY 1, 2
            ON CONFLICT DO NOTHING
            RETURNING vehicle_id, part_id
        )
        INSERT INTO aftermarket_migration_added_vehicle_parts (run_id, vehicle_id, part_id)
        SELECT @runId, vehicle_id, part_id FROM added
        """;

    internal const string RemoveAftVehicleLinksSql = """
        WITH removed AS (
            DELETE FROM vehicle_parts vp
            USING aftermarket_batch b
            WHERE vp.part_id = b.id_part AND b.oem_part_id IS NOT NULL
            RETURNING vp.vehicle_id, vp.part_id, b.oem_part_id
        ), archived AS (
            INSERT INTO aftermarket_migration_archived_vehicle_parts (run_id, vehicle_id, part_id)
            SELECT @runId, vehicle_id, part_id FROM removed
        )
        INSERT INTO aftermarket_batch_links (vehicle_id, oem_part_id)
        SELECT DISTINCT vehicle_id, oem_part_id FROM removed
        """;

    // Few AFT parts have cross references: the batch's id range lets part_cross_references_part find them, where a
    // join alone is planned as a scan of every cross reference per batch.
    internal const string MoveCrossReferencesSql = """
        WITH moved AS (
            UPDATE part_cross_references x
            SET part_id = b.oem_part_id
            FROM aftermarket_batch b
            WHERE x.part_id = b.id_part AND b.oem_part_id IS NOT NULL AND x.part_id BETWEEN @idFrom AND @idTo
            RETURNING x.id_cross_reference, b.id_part
        )
        INSERT INTO aftermarket_migration_moved_cross_references (run_id, id_cross_reference, old_part_id)
        SELECT @runId, id_cross_reference, id_part FROM moved
        """;

    internal const string ArchiveAndDeletePartsSql = """
        WITH removed AS (
            DELETE FROM parts p
            USING aftermarket_batch b
            WHERE p.id_part = b.id_part AND b.oem_part_id IS NOT NULL
            RETURNING p.id_part, p.oem_part_number, p.name_part, p.description, p.id_category, p.id_manufacture
        )
        INSERT INTO aftermarket_migration_archived_parts (run_id, id_part, oem_part_number, name_part, description, id_category, id_manufacture)
        SELECT @runId, id_part, oem_part_number, name_part, description, id_category, id_manufacture FROM removed
        """;
}
