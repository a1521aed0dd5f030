using Dapper;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// Moves bodega stock of a migrated AFT part onto its new aftermarket part (part_id → NULL, aftermarket_part_id set).
/// Stock of the same bodega and location that would land on the same aftermarket part is merged into one row
/// (quantities added; the kept row's price wins). Every row touched is archived whole.
/// </summary>
public static class AftermarketInventoryRelinking
{
    public static Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long runId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(RelinkSql, new { runId }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    // The target is the batch's aftermarket row, found by its unique key (created or reused just before).
    internal const string RelinkSql = """
        CREATE TEMP TABLE aftermarket_batch_inventory ON COMMIT DROP AS
        WITH moving AS (
            SELECT w.id_inventory, w.user_id, w.warehouse_location, a.id_aftermarket_parts AS target, false AS existing
            FROM warehouse_inventory w
            JOIN aftermarket_batch b ON b.id_part = w.part_id
            JOIN aftermarket_parts a
              ON a.oem_part_id = b.oem_part_id AND a.manufacturer_id = b.manufacturer_id AND a.part_number_norm = b.article_norm
            WHERE b.oem_part_id IS NOT NULL
        )
        SELECT * FROM moving
        UNION ALL
        SELECT w.id_inventory, w.user_id, w.warehouse_location, w.aftermarket_part_id, true
        FROM warehouse_inventory w
        WHERE EXISTS (SELECT 1 FROM moving m
                      WHERE m.target = w.aftermarket_part_id AND m.user_id = w.user_id AND m.warehouse_location = w.warehouse_location);

        INSERT INTO aftermarket_migration_archived_inventory (run_id, id_inventory, row_data)
        SELECT @runId, w.id_inventory, to_jsonb(w)
        FROM warehouse_inventory w
        JOIN aftermarket_batch_inventory i ON i.id_inventory = w.id_inventory
        ON CONFLICT (run_id, id_inventory) DO NOTHING;

        -- One row survives per (bodega, aftermarket part, location): the one already there, else the oldest moving one.
        CREATE TEMP TABLE aftermarket_batch_inventory_keep ON COMMIT DROP AS
        SELECT DISTINCT ON (i.user_id, i.target, i.warehouse_location)
               i.id_inventory, i.target,
               sum(w.stock_quantity) OVER (PARTITION BY i.user_id, i.target, i.warehouse_location) AS stock_quantity,
               count(*) OVER (PARTITION BY i.user_id, i.target, i.warehouse_location) AS rows_merged
        FROM aftermarket_batch_inventory i
        JOIN warehouse_inventory w ON w.id_inventory = i.id_inventory
        ORDER BY i.user_id, i.target, i.warehouse_location, i.existing DESC, i.id_inventory;

        DELETE FROM warehouse_inventory w
        USING aftermarket_batch_inventory i
        WHERE w.id_inventory = i.id_inventory
          AND NOT EXISTS (SELECT 1 FROM aftermarket_batch_inventory_keep k WHERE k.id_inventory = i.id_inventory);

        UPDATE warehouse_inventory w
        SET part_id = NULL,
            aftermarket_part_id = k.target,
            stock_quantity = k.stock_quantity,
            updated_at = CASE WHEN k.rows_merged > 1 THEN now() ELSE w.updated_at END
        FROM aftermarket_batch_inventory_keep k
        WHERE w.id_inventory = k.id_inventory
        """;
}
