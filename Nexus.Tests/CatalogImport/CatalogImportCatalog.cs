using Dapper;
using Npgsql;

namespace Nexus.Tests.CatalogImport;

/// <summary>
/// The small catalog the catalog-import tests load with SQL (fixed ids for parts, vehicles, manufacturers and categories):
/// parts 1 and 2 share the number 0986AB2854 (Bosch and Toyota, both Frenos); 3 ABC-123 (Filtros); 4 XYZ 789 (Frenos);
/// 5 K/55.1 (no category); 6 and 7 are AFT- parts; aftermarket Gates GT-300 of part 4 exists already. Vehicles 1 to 4.
/// </summary>
public static class CatalogImportCatalog
{
    public const string Sql = """
        INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES
            (1, 'Bosch'), (2, 'Toyota'), (3, 'PARTQUIP'), (4, 'Gates'), (5, 'Fricción Pérez'), (6, 'KAWE');
        INSERT INTO categories (id_category, name_category) VALUES (1, 'Frenos'), (2, 'Filtros');
        INSERT INTO vehicles (id_vehicle, brand, model, year) VALUES
            (1, 'Nissan', 'Tsuru', 2015), (2, 'Nissan', 'Sentra', 2018), (3, 'Toyota', 'Corolla', 2020), (4, 'VW', 'Jetta', 2012);
        INSERT INTO parts (id_part, oem_part_number, name_part, description, id_category, id_manufacture) VALUES
            (1, '0 986 AB2 854', 'Bomba de agua', NULL, 1, 1),
            (2, '0986-AB2-854', 'Bomba de agua Toyota', NULL, 1, 2),
            (3, 'ABC-123', 'Filtro de aceite', NULL, 2, 2),
            (4, 'XYZ 789', 'Balata delantera', NULL, 1, 2),
            (5, 'K/55.1', 'Banda de distribución', NULL, NULL, 2),
            (6, 'AFT-AC191-PARTQUIP', 'Balata', 'Aftermarket PARTQUIP', 1, NULL),
            (7, 'AFT-GT100-Gates', 'Filtro', 'Aftermarket Gates', 2, NULL);
        INSERT INTO vehicle_parts (vehicle_id, part_id) VALUES (1, 1), (2, 3), (1, 6), (2, 6), (3, 7);
        INSERT INTO aftermarket_parts (oem_part_id, manufacturer_id, part_number, name_aftermarket_parts) VALUES (4, 4, 'GT-300', 'Balata Gates');
        """;

    public const string Header = "proveedor,numero_articulo,nombre,categoria,numeros_oem,vehiculos\n";

    public static async Task LoadAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(Sql);
    }

    /// <summary>aftermarket_parts as "oem part:manufacturer:part number:name", sorted.</summary>
    public static async Task<string[]> AftermarketAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<string>("""
            SELECT a.oem_part_id || ':' || m.name_manufacture || ':' || a.part_number || ':' || coalesce(a.name_aftermarket_parts, '')
            FROM aftermarket_parts a JOIN manufacturers m ON m.id_manufacture = a.manufacturer_id
            """);
        return rows.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>vehicle_parts as "vehicle:part", sorted.</summary>
    public static async Task<string[]> LinksAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<string>("SELECT vehicle_id || ':' || part_id FROM vehicle_parts");
        return rows.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The whole of parts, vehicle_parts and aftermarket_parts as checksums, and the parts and AFT- part counts.</summary>
    public static async Task<CatalogState> StateAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<CatalogState>("""
            SELECT (SELECT count(*) FROM parts) AS parts,
                   (SELECT count(*) FROM parts WHERE oem_part_number LIKE 'AFT-%') AS aft_parts,
                   (SELECT md5(coalesce(string_agg(p::text, '|' ORDER BY id_part), '')) FROM parts p) AS parts_checksum,
                   (SELECT md5(coalesce(string_agg(vp::text, '|' ORDER BY vehicle_id, part_id), '')) FROM vehicle_parts vp) AS links_checksum,
                   (SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY id_aftermarket_parts), '')) FROM aftermarket_parts a) AS aftermarket_checksum
            """);
    }
}

public sealed record CatalogState(long Parts, long AftParts, string PartsChecksum, string LinksChecksum, string AftermarketChecksum);
