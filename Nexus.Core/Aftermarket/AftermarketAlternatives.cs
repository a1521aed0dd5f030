using Nexus.Core.Database;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>An aftermarket alternative of an OEM part, as the public catalog shows it (no prices).</summary>
public sealed record AftermarketAlternative(int AftermarketPartId, int ManufacturerId, string Manufacturer, string PartNumber, string? Name, bool InStock);

/// <summary>The "Alternativas aftermarket" list of a part: e.g. PARTQUIP AC191, BOSCH 0 986 AB2 854.</summary>
public sealed class AftermarketAlternatives(NpgsqlDataSource dataSource)
{
    /// <returns>null when the part does not exist.</returns>
    public async Task<IReadOnlyList<AftermarketAlternative>?> ForPartAsync(int partId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Prepared(Sql, null, new NpgsqlParameter<int>("partId", partId));
        await using var reader = await command.ExecutePreparedReaderAsync(cancellationToken);
        var exists = (await reader.ReadRowsAsync<bool>(cancellationToken)).Single();
        var alternatives = await reader.ReadRowsAsync<AftermarketAlternative>(cancellationToken);
        return exists ? alternatives : null;
    }

    private const string Sql = $"{PartExistsSql};\n{AlternativesSql}";

    private const string PartExistsSql = "SELECT EXISTS (SELECT 1 FROM parts WHERE id_part = @partId)";

    // In stock: some active bodega holds a positive quantity of that aftermarket part (warehouse_inventory.aftermarket_part_id).
    private const string AlternativesSql = """
        SELECT a.id_aftermarket_parts AS aftermarket_part_id, m.id_manufacture AS manufacturer_id, m.name_manufacture AS manufacturer,
               a.part_number, a.name_aftermarket_parts AS name,
               EXISTS (SELECT 1 FROM warehouse_inventory w JOIN users u ON u.id_user = w.user_id
                       WHERE w.aftermarket_part_id = a.id_aftermarket_parts AND w.stock_quantity > 0 AND u.is_active) AS in_stock
        FROM aftermarket_parts a
        JOIN manufacturers m ON m.id_manufacture = a.manufacturer_id
        WHERE a.oem_part_id = @partId
        ORDER BY m.name_manufacture, a.part_number_norm
        """;
}
