using Dapper;
using Npgsql;

namespace Nexus.Tests.Aftermarket;

/// <summary>
/// A small catalog with AFT- parts covering every rule of the migration, inserted with SQL.
/// Expected outcomes (article, manufacturer → OEM part, how):
/// A1  AFT-AC191-PARTQUIP   → O2 by cross reference; reuses the existing aftermarket row (O2, PARTQUIP, AC-191)
/// A2  AFT-10-0058-Airstal  → article 10-0058 (hyphenated), O1 by cross reference '10 0058'/'airstal' (normalised, any case)
/// A3  AFT-X1-MEAT-DORIA    → article X1, manufacturer MEAT-DORIA (longest suffix beats DORIA), O1 by vehicles (3 of 3)
/// A4  AFT-K9-kawe          → manufacturer KAWE (case-insensitive), O4 by vehicles: tie with O5 (2 each), lowest id wins
/// A5  AFT-Z1-NOBODY        → unresolved, no manufacturer
/// A7  AFT-W2-BOSCH         → unresolved: shares only 1 vehicle with O1 (minimum 2)
/// A8  AFT-AC191-partquip   → O2 by cross reference, same aftermarket row as A1 (no duplicate)
/// A10 AFT-Q5-KAWE          → unresolved: its only cross reference match is on an AFT part (A4)
/// A11 AFT--5-BOSCH         → unresolved (article '-5', no OEM); the report must neutralise the leading '-'
/// A6  AFT-Y7-BOSCH         → unresolved: best OEM shares 2 of its 5 vehicles (&lt; 50%); inserted last, so it lands in a
///                            later batch than A1/A8, whose relinking adds (5,O2),(6,O2) — those added links must be ignored.
/// </summary>
public sealed class AftermarketCatalog
{
    public Dictionary<string, int> Ids { get; } = [];

    public int this[string key] => Ids[key];

    public static async Task<AftermarketCatalog> CreateAsync(NpgsqlDataSource dataSource)
    {
        var catalog = new AftermarketCatalog();
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var name in new[] { "BOSCH", "PARTQUIP", "Airstal", "MEAT-DORIA", "DORIA", "KAWE", "ACME" })
        {
            catalog.Ids["m:" + name] = await connection.ExecuteScalarAsync<int>(
                "INSERT INTO manufacturers (name_manufacture) VALUES (@name) RETURNING id_manufacture", new { name });
        }
        var frenos = await connection.ExecuteScalarAsync<int>("INSERT INTO categories (name_category) VALUES ('Frenos') RETURNING id_category");
        var filtros = await connection.ExecuteScalarAsync<int>("INSERT INTO categories (name_category) VALUES ('Filtros') RETURNING id_category");
        for (var v = 1; v <= 6; v++)
        {
            catalog.Ids["v" + v] = await connection.ExecuteScalarAsync<int>(
                "INSERT INTO vehicles (brand, model, year) VALUES ('Nissan', @model, 2015) RETURNING id_vehicle", new { model = "Tsuru " + v });
        }

        async Task Part(string key, string number, int category, params int[] vehicles)
        {
            var id = await connection.ExecuteScalarAsync<int>(
                "INSERT INTO parts (oem_part_number, name_part, description, id_category) VALUES (@number, @name, @description, @category) RETURNING id_part",
                new { number, name = "Pieza " + key, description = number.StartsWith("AFT-", StringComparison.Ordinal) ? "Aftermarket" : null, category });
            catalog.Ids[key] = id;
            foreach (var v in vehicles)
            {
                await connection.ExecuteAsync("INSERT INTO vehicle_parts (vehicle_id, part_id) VALUES (@vehicle, @id)", new { vehicle = catalog.Ids["v" + v], id });
            }
        }

        await Part("O1", "0986AB2854", frenos, 1, 2, 3);
        await Part("O2", "OEM-2", frenos, 1, 2);
        await Part("O3", "OEM-3", filtros, 1, 2, 3, 4);
        await Part("O4", "OEM-4", frenos, 4, 5);
        await Part("O5", "OEM-5", frenos, 4, 5);
        await Part("A1", "AFT-AC191-PARTQUIP", frenos, 1, 2, 6);
        await Part("A2", "AFT-10-0058-Airstal", frenos, 3);
        await Part("A3", "AFT-X1-MEAT-DORIA", frenos, 1, 2, 3);
        await Part("A4", "AFT-K9-kawe", frenos, 4, 5);
        await Part("A5", "AFT-Z1-NOBODY", frenos, 1);
        await Part("A7", "AFT-W2-BOSCH", frenos, 3);
        await Part("A8", "AFT-AC191-partquip", frenos, 1, 5);
        await Part("A10", "AFT-Q5-KAWE", frenos);
        await Part("A11", "AFT--5-BOSCH", frenos, 6);
        await Part("A6", "AFT-Y7-BOSCH", frenos, 1, 2, 4, 5, 6);

        async Task CrossReference(string key, string number, string source) =>
            catalog.Ids["x:" + key + ":" + number] = await connection.ExecuteScalarAsync<int>(
                "INSERT INTO part_cross_references (part_id, cross_reference_number, source_ref) VALUES (@part, @number, @source) RETURNING id_cross_reference",
                new { part = catalog.Ids[key], number, source });

        await CrossReference("O2", "AC191", "PARTQUIP");
        await CrossReference("O1", "10 0058", "airstal");
        await CrossReference("A4", "Q5", "KAWE");
        await CrossReference("A1", "XR-1", "ACME");

        catalog.Ids["existing"] = await connection.ExecuteScalarAsync<int>(
            "INSERT INTO aftermarket_parts (oem_part_id, manufacturer_id, part_number, name_aftermarket_parts) VALUES (@oem, @mfr, 'AC-191', 'Balata') RETURNING id_aftermarket_parts",
            new { oem = catalog.Ids["O2"], mfr = catalog.Ids["m:PARTQUIP"] });
        return catalog;
    }

    public static readonly string[] AftKeys = ["A1", "A2", "A3", "A4", "A5", "A7", "A8", "A10", "A11", "A6"];
    public static readonly string[] MigratedKeys = ["A1", "A2", "A3", "A4", "A8"];
    public static readonly string[] UnresolvedKeys = ["A5", "A7", "A10", "A11", "A6"];

    /// <summary>Every (vehicle, part) link expected after a real run, as "v{n}:{key}".</summary>
    public static readonly string[] LinksAfterMigration =
    [
        "v1:O1", "v2:O1", "v3:O1", "v1:O2", "v2:O2", "v1:O3", "v2:O3", "v3:O3", "v4:O3", "v4:O4", "v5:O4", "v4:O5", "v5:O5",
        "v6:O2", "v5:O2", // added from A1 and A8
        "v1:A5", "v3:A7", "v6:A11", "v1:A6", "v2:A6", "v4:A6", "v5:A6", "v6:A6", // unresolved keep theirs
    ];

    public async Task<string[]> LinksAsync(NpgsqlDataSource dataSource)
    {
        var byId = Ids.Where(kv => kv.Key[0] is 'v' or 'O' or 'A' && !kv.Key.Contains(':'))
            .ToDictionary(kv => (kv.Key[0] == 'v' ? "v:" : "p:") + kv.Value, kv => kv.Key);
        await using var connection = await dataSource.OpenConnectionAsync();
        var links = await connection.QueryAsync<(int VehicleId, int PartId)>("SELECT vehicle_id, part_id FROM vehicle_parts");
        return links.Select(l => byId["v:" + l.VehicleId] + ":" + byId["p:" + l.PartId]).Order().ToArray();
    }

    public static async Task<CatalogChecksums> ChecksumsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<CatalogChecksums>("""
            SELECT (SELECT md5(coalesce(string_agg(p::text, '|' ORDER BY id_part), '')) FROM parts p) AS parts,
                   (SELECT md5(coalesce(string_agg(vp::text, '|' ORDER BY vehicle_id, part_id), '')) FROM vehicle_parts vp) AS vehicle_parts,
                   (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY id_cross_reference), '')) FROM part_cross_references x) AS cross_references,
                   (SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY id_aftermarket_parts), '')) FROM aftermarket_parts a) AS aftermarket_parts
            """);
    }
}

public sealed record CatalogChecksums(string Parts, string VehicleParts, string CrossReferences, string AftermarketParts);
