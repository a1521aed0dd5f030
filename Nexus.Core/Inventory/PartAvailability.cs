using Nexus.Core.Database;
using Npgsql;

namespace Nexus.Core.Inventory;

/// <summary>One bodega's offer of a part.</summary>
public sealed record BodegaOffer(
    string BusinessName,
    decimal Price,
    int StockQuantity,
    string WarehouseLocation,
    int MinOrderQuantity,
    DateTime UpdatedAt);

/// <summary>One bodega's offer of an aftermarket alternative of the part.</summary>
public sealed record AftermarketOffer(
    int AftermarketPartId,
    string Manufacturer,
    string PartNumber,
    string? Name,
    string BusinessName,
    decimal Price,
    int StockQuantity,
    string WarehouseLocation,
    int MinOrderQuantity,
    DateTime UpdatedAt);

public sealed record PartAvailabilityResult(
    int PartId,
    string PartNumber,
    string Name,
    IReadOnlyList<BodegaOffer> Availability,
    IReadOnlyList<AftermarketOffer> Aftermarket);

/// <summary>Prices and stock of a part across active bodegas, cheapest first, and the same for its aftermarket alternatives.</summary>
public sealed class PartAvailability(NpgsqlDataSource db)
{
    private sealed record Part(int IdPart, string OemPartNumber, string NamePart);

    /// <returns>Null when the part does not exist.</returns>
    public async Task<PartAvailabilityResult?> GetAsync(int partId, bool includeOutOfStock, CancellationToken ct)
    {
        const string partSql = "SELECT id_part, oem_part_number, name_part FROM parts WHERE id_part = @partId";
        // Only active BODEGA accounts offer stock: a deactivated bodega's rows stay but are not shown.
        const string oemSql = """
            SELECT coalesce(u.business_name, u.name_user) AS business_name, wi.price, wi.stock_quantity,
                   wi.warehouse_location, wi.min_order_quantity, wi.updated_at
            FROM warehouse_inventory wi
            JOIN users u ON u.id_user = wi.user_id
            WHERE wi.part_id = @partId AND u.is_active AND u.id_rol = @bodegaRole
              AND (@includeOutOfStock OR wi.stock_quantity > 0)
            ORDER BY wi.price, wi.stock_quantity DESC, business_name, wi.warehouse_location
            """;
        const string aftermarketSql = """
            SELECT ap.id_aftermarket_parts AS aftermarket_part_id, m.name_manufacture AS manufacturer, ap.part_number,
                   ap.name_aftermarket_parts AS name,
                   coalesce(u.business_name, u.name_user) AS business_name, wi.price, wi.stock_quantity,
                   wi.warehouse_location, wi.min_order_quantity, wi.updated_at
            FROM aftermarket_parts ap
            JOIN manufacturers m ON m.id_manufacture = ap.manufacturer_id
            JOIN warehouse_inventory wi ON wi.aftermarket_part_id = ap.id_aftermarket_parts
            JOIN users u ON u.id_user = wi.user_id
            WHERE ap.oem_part_id = @partId AND u.is_active AND u.id_rol = @bodegaRole
              AND (@includeOutOfStock OR wi.stock_quantity > 0)
            ORDER BY wi.price, wi.stock_quantity DESC, m.name_manufacture, ap.part_number, business_name, wi.warehouse_location
            """;
        const string sql = $"{partSql};\n{oemSql};\n{aftermarketSql}";
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = connection.Prepared(sql, null,
            new NpgsqlParameter<int>("partId", partId),
            new NpgsqlParameter<bool>("includeOutOfStock", includeOutOfStock),
            new NpgsqlParameter<int>("bodegaRole", Auth.Roles.IdOf(Auth.Roles.Bodega)));
        await using var reader = await command.ExecutePreparedReaderAsync(ct);
        var part = (await reader.ReadRowsAsync<Part>(ct)).SingleOrDefault();
        var offers = await reader.ReadRowsAsync<BodegaOffer>(ct);
        var alternatives = await reader.ReadRowsAsync<AftermarketOffer>(ct);
        if (part is null)
        {
            return null;
        }
        return new PartAvailabilityResult(part.IdPart, part.OemPartNumber, part.NamePart, offers, alternatives);
    }
}
