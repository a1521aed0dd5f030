using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth;
using Nexus.Core.DataSets;
using Nexus.Tests.Infrastructure;
using Npgsql;

namespace Nexus.Tests.DataSets;

public sealed class DataSetGeneratorTests
{
    private static readonly string[] KeyTables =
    [
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id_manufacture)) FROM manufacturers t",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id_category)) FROM categories t",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id_vehicle)) FROM vehicles t",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id_part)) FROM parts t",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.part_id, t.vehicle_id)) FROM vehicle_parts t",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id_cross_reference)) FROM part_cross_references t",
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.id_aftermarket_parts)) FROM aftermarket_parts t",
    ];

    [Fact]
    public async Task Same_seed_gives_identical_tables_and_another_seed_does_not()
    {
        await using var first = await TestDatabase.CreateAsync();
        await using var second = await TestDatabase.CreateAsync();
        await using var other = await TestDatabase.CreateAsync();
        await DataSetGenerator.SeedAsync(first.DataSource, DataSetSize.Demo);
        await DataSetGenerator.SeedAsync(second.DataSource, DataSetSize.Demo);
        await DataSetGenerator.SeedAsync(other.DataSource, DataSetShape.Demo with { Seed = 7 }, NullLogger.Instance);

        var expected = await ChecksumsAsync(first.DataSource);
        Assert.Equal(expected, await ChecksumsAsync(second.DataSource));
        Assert.NotEqual(expected[3], (await ChecksumsAsync(other.DataSource))[3]);
    }

    [Fact]
    public async Task Demo_has_the_spec_shapes_and_counts()
    {
        await using var db = await TestDatabase.CreateAsync();
        var summary = await DataSetGenerator.SeedAsync(db.DataSource, DataSetSize.Demo);
        await using var connection = await db.DataSource.OpenConnectionAsync();

        Assert.Equal(3_000, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM parts WHERE oem_part_number NOT LIKE 'AFT-%'"));
        Assert.Equal(400, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM parts WHERE oem_part_number LIKE 'AFT-%'"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM aftermarket_parts"));
        Assert.Equal(summary.VehicleParts, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM vehicle_parts"));

        var manufacturers = (await connection.QueryAsync<string>("SELECT name_manufacture FROM manufacturers")).ToHashSet();
        Assert.Superset(new HashSet<string> { "BOSCH", "ACDelco", "Motorcraft", "NGK", "Denso", "Gates", "KAWE", "PARTQUIP", "Airstal", "Hella-Behr", "MEAT-DORIA" }, manufacturers);
        var categories = (await connection.QueryAsync<string>("SELECT name_category FROM categories")).ToHashSet();
        Assert.Superset(new HashSet<string> { "Frenos", "Suspensión", "Filtros", "Motor", "Eléctrico", "Enfriamiento" }, categories);
        var makes = (await connection.QueryAsync<string>("SELECT DISTINCT brand || ' ' || model FROM vehicles")).ToHashSet();
        Assert.Superset(new HashSet<string> { "Nissan Tsuru", "Nissan Versa", "Nissan Sentra", "Volkswagen Jetta", "Volkswagen Vento", "Chevrolet Aveo" }, makes);

        var aft = (await connection.QueryAsync<(string Number, string Description)>(
            "SELECT oem_part_number, description FROM parts WHERE oem_part_number LIKE 'AFT-%'")).ToList();
        Assert.All(aft, a => Assert.Matches(new Regex("^AFT-.+-[^-].*$"), a.Number));
        Assert.All(aft, a => Assert.StartsWith("Aftermarket ", a.Description));
        Assert.Contains(aft, a => a.Number == "AFT-AC191-PARTQUIP");
        Assert.Contains(aft, a => a.Number == "AFT-10-0058-Airstal");
        Assert.Contains(aft, a => a.Number == "AFT-10-0058-MEAT-DORIA");
        Assert.Contains(aft, a => a.Number.EndsWith("-Hella-Behr", StringComparison.Ordinal) && a.Number.Count(c => c == '-') >= 4);

        var accounts = (await connection.QueryAsync<(string Email, string Role, bool Active, string Business)>("""
            SELECT u.email, r.name_rol, u.is_active, u.business_name FROM users u JOIN roles r ON r.id_rol = u.id_rol
            """)).ToList();
        Assert.Equal(8, accounts.Count);
        Assert.All(accounts, a => Assert.True(a.Active));
        Assert.Contains(accounts, a => a is { Email: "bodega1@nexus.demo", Role: "BODEGA", Business: "BODEGA CENTRAL MX" });
        Assert.Contains(accounts, a => a is { Email: "bodega2@nexus.demo", Business: "REFACCIONES DEL NORTE" });
        Assert.Equal(3, accounts.Count(a => a.Role == "TALLER"));
        var hash = await connection.ExecuteScalarAsync<string>("SELECT pass FROM users WHERE email = 'taller1@nexus.demo'") ?? "";
        Assert.StartsWith(PasswordHasher.PreHashedPrefix + "$2a$12$", hash);
        var hasher = new PasswordHasher(Options.Create(new AuthOptions()));
        Assert.True(hasher.Verify(DemoAccounts.Password, hash));
        Assert.False(hasher.NeedsRehash(hash));
    }

    [Fact]
    public async Task Seeding_again_reuses_the_data_and_a_different_set_is_refused()
    {
        await using var db = await TestDatabase.CreateAsync();
        var first = await DataSetGenerator.SeedAsync(db.DataSource, DataSetSize.Demo);
        var again = await DataSetGenerator.SeedAsync(db.DataSource, DataSetSize.Demo);

        Assert.False(first.AlreadyLoaded);
        Assert.True(again.AlreadyLoaded);
        Assert.Equal(first.OemParts, again.OemParts);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(3_400, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM parts"));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            DataSetGenerator.SeedAsync(db.DataSource, DataSetShape.ScaledFull(1_000), NullLogger.Instance));
    }

    [Fact]
    public async Task Scaled_full_set_keeps_the_migration_relationships()
    {
        await using var db = await TestDatabase.CreateAsync();
        var shape = DataSetShape.ScaledFull(20_000);
        var summary = await DataSetGenerator.SeedAsync(db.DataSource, shape, NullLogger.Instance);
        await using var connection = await db.DataSource.OpenConnectionAsync();

        Assert.Equal(20_000, summary.OemParts);
        Assert.Equal(7_147, summary.AftParts); // 357,360 per 1,000,000
        Assert.InRange(summary.VehicleParts / (double)(summary.OemParts + summary.AftParts), 2.0, 2.6);

        // Every cross-referenced AFT part points at an OEM part of the same category that fits all its vehicles.
        const string broken = """
            SELECT a.oem_part_number || ' -> ' || o.oem_part_number
            FROM parts a
            JOIN part_cross_references x ON a.oem_part_number = 'AFT-' || x.cross_reference_number || '-' || x.source_ref
            JOIN parts o ON o.id_part = x.part_id
            WHERE a.id_category IS DISTINCT FROM o.id_category
               OR o.oem_part_number LIKE 'AFT-%'
               OR EXISTS (SELECT 1 FROM vehicle_parts va WHERE va.part_id = a.id_part
                          AND NOT EXISTS (SELECT 1 FROM vehicle_parts vo WHERE vo.part_id = o.id_part AND vo.vehicle_id = va.vehicle_id))
            """;
        Assert.Empty(await connection.QueryAsync<string>(broken));

        const string kinds = """
            SELECT count(*) FILTER (WHERE x.part_id IS NOT NULL) AS cross_referenced,
                   count(*) FILTER (WHERE x.part_id IS NULL AND EXISTS (SELECT 1 FROM vehicle_parts vp WHERE vp.part_id = a.id_part)) AS by_vehicle,
                   count(*) FILTER (WHERE x.part_id IS NULL AND NOT EXISTS (SELECT 1 FROM vehicle_parts vp WHERE vp.part_id = a.id_part)) AS unresolvable
            FROM parts a
            LEFT JOIN part_cross_references x ON a.oem_part_number = 'AFT-' || x.cross_reference_number || '-' || x.source_ref
            WHERE a.oem_part_number LIKE 'AFT-%'
            """;
        var (crossReferenced, byVehicle, unresolvable) = await connection.QuerySingleAsync<(long, long, long)>(kinds);
        Assert.InRange(crossReferenced / (double)summary.AftParts, 0.82, 0.88);
        Assert.InRange(byVehicle / (double)summary.AftParts, 0.10, 0.17);
        Assert.InRange(unresolvable, 20, 150);
        Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM parts WHERE oem_part_number ~ '^AFT-.*-.*-(MEAT-DORIA|Hella-Behr)$')"));
        Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM parts WHERE oem_part_number ~ '^AFT-[0-9]+-[0-9]+-[A-Za-z]')"));
    }

    private static async Task<List<string>> ChecksumsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var sums = new List<string>();
        foreach (var sql in KeyTables)
        {
            sums.Add(await connection.ExecuteScalarAsync<string>(sql) ?? "");
        }
        return sums;
    }
}
