using Dapper;
using Npgsql;

namespace Nexus.Core.Inventory;

/// <summary>A line of a bodega's inventory, OEM or aftermarket, with the catalog's number and name.</summary>
public sealed record InventoryItem(
    long IdInventory,
    int? PartId,
    int? AftermarketPartId,
    string PartNumber,
    string? Name,
    string? Manufacturer,
    decimal Price,
    int StockQuantity,
    int MinOrderQuantity,
    string WarehouseLocation,
    DateTime UpdatedAt);

public sealed record InventoryItemQuery(int UserId, string? Q, string? Location, int Page, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
}

public sealed record InventoryItemPage(IReadOnlyList<InventoryItem> Items, int Page, int PageSize, long Total);

/// <summary>A bodega's own inventory: search and paging, and clearing it (all, or one location).</summary>
public sealed class InventoryItems(NpgsqlDataSource db)
{
    // q matches the normalised part number as a prefix ("0 986-ab2" finds 0986AB2854) or any part of the name, accents ignored.
    private const string FromWhere = """
        FROM warehouse_inventory wi
        LEFT JOIN parts p ON p.id_part = wi.part_id
        LEFT JOIN aftermarket_parts ap ON ap.id_aftermarket_parts = wi.aftermarket_part_id
        LEFT JOIN manufacturers m ON m.id_manufacture = coalesce(ap.manufacturer_id, p.id_manufacture)
        WHERE wi.user_id = @userId
          AND (@location::text IS NULL OR wi.warehouse_location = @location)
          AND (@q::text IS NULL
               OR (normalize_part_number(@q) <> ''
                   AND coalesce(p.oem_part_number_norm, ap.part_number_norm) LIKE normalize_part_number(@q) || '%')
               OR search_text(coalesce(p.name_part, ap.name_aftermarket_parts)) LIKE '%' || search_text(@q) || '%')
        """;

    public async Task<InventoryItemPage> ListAsync(InventoryItemQuery query, CancellationToken ct)
    {
        const string sql = $"""
            SELECT wi.id_inventory, wi.part_id, wi.aftermarket_part_id,
                   coalesce(p.oem_part_number, ap.part_number) AS part_number,
                   coalesce(p.name_part, ap.name_aftermarket_parts) AS name,
                   m.name_manufacture AS manufacturer,
                   wi.price, wi.stock_quantity, wi.min_order_quantity, wi.warehouse_location, wi.updated_at
            {FromWhere}
            ORDER BY coalesce(p.oem_part_number_norm, ap.part_number_norm), wi.warehouse_location, wi.id_inventory
            LIMIT @limit OFFSET @offset
            """;
        const string count = $"SELECT count(*) {FromWhere}";
        var parameters = new
        {
            userId = query.UserId,
            location = query.Location,
            q = string.IsNullOrWhiteSpace(query.Q) ? null : EscapeLike(query.Q.Trim()),
            limit = query.PageSize,
            offset = (long)(query.Page - 1) * query.PageSize,
        };
        await using var connection = await db.OpenConnectionAsync(ct);
        var items = await connection.QueryAsync<InventoryItem>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(count, parameters, cancellationToken: ct));
        return new InventoryItemPage(items.AsList(), query.Page, query.PageSize, total);
    }

    /// <summary>Deletes the bodega's items (of one location when given) under the importer's per-bodega lock; returns how many.</summary>
    public async Task<int> DeleteAsync(int userId, string? location, CancellationToken ct)
    {
        const string lockSql = "SELECT pg_advisory_xact_lock(@lockClass, @userId)";
        const string sql = """
            DELETE FROM warehouse_inventory
            WHERE user_id = @userId AND (@location::text IS NULL OR warehouse_location = @location)
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(lockSql, new { lockClass = InventoryApply.InventoryLockClass, userId }, transaction, cancellationToken: ct));
        var deleted = await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, location }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return deleted;
    }

    /// <summary>LIKE treats % and _ as wildcards; a search for "A_1" means those characters.</summary>
    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
