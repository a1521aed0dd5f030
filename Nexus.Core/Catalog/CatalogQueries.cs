using Dapper;
using Npgsql;

namespace Nexus.Core.Catalog;

/// <summary>
/// Read-only catalog queries for the public API. Optional filters are written as `@x IS NULL OR …`: Npgsql sends
/// unprepared statements, so PostgreSQL plans each call with its actual values, folds the unused filters away and
/// uses the prefix and trigram indexes for the LIKE patterns built from them.
/// </summary>
public sealed class CatalogQueries(NpgsqlDataSource dataSource)
{
    // Each search has a driver, the filter that narrows it most: the part-number hits, the vehicle's parts, or the
    // parts table itself (trigram index for a name, or the primary key in id order when matches are dense).
    // The driver must be a plain IN (subquery): inside `@x IS NULL OR …` PostgreSQL cannot turn it into a join.
    // The three texts below are constants composed at compile time; nothing is built at run time.
    private const string PartColumns = """
        SELECT p.id_part, p.oem_part_number, p.name_part, p.description,
               p.id_category, c.name_category, p.id_manufacture, m.name_manufacture
        FROM parts p
        LEFT JOIN categories c ON c.id_category = p.id_category
        LEFT JOIN manufacturers m ON m.id_manufacture = p.id_manufacture
        """;

    // Names match accent- and case-insensitively anywhere in the name: name_search = search_text(name_part), trigram-indexed.
    private const string CommonFilters = """
          AND (@Name::text IS NULL OR p.name_search LIKE '%' || like_escape(search_text(@Name)) || '%')
          AND (@CategoryId::int IS NULL OR p.id_category = @CategoryId)
          AND (@IncludeAftermarket OR p.oem_part_number NOT LIKE 'AFT-%')
        """;

    private const string VehicleHits = """
        SELECT vp.part_id
        FROM vehicles v
        JOIN vehicle_parts vp ON vp.vehicle_id = v.id_vehicle
        WHERE (@Make::text IS NULL OR lower(v.brand) = lower(@Make))
          AND (@Model::text IS NULL OR lower(v.model) = lower(@Model))
          AND (@Year::int IS NULL OR v.year = @Year)
          AND (@VehicleId::int IS NULL OR v.id_vehicle = @VehicleId)
        """;

    private const string PageClause = """
        ORDER BY p.id_part
        LIMIT @Limit OFFSET @Offset
        """;

    /// <summary>Normalised prefix of the part's own number, a cross-reference number or an aftermarket number.</summary>
    private const string ByNumberSql = $"""
        {PartColumns}
        WHERE p.id_part IN (
            SELECT id_part FROM parts
            WHERE oem_part_number_norm LIKE like_escape(normalize_part_number(@Number)) || '%'
            UNION
            SELECT part_id FROM part_cross_references
            WHERE cross_reference_number_norm LIKE like_escape(normalize_part_number(@Number)) || '%'
            UNION
            SELECT oem_part_id FROM aftermarket_parts
            WHERE part_number_norm LIKE like_escape(normalize_part_number(@Number)) || '%')
          AND (NOT @ByVehicle OR EXISTS (SELECT 1 FROM ({VehicleHits}) h WHERE h.part_id = p.id_part))
        {CommonFilters}
        {PageClause}
        """;

    private const string ByVehicleSql = $"""
        {PartColumns}
        WHERE p.id_part IN ({VehicleHits})
        {CommonFilters}
        {PageClause}
        """;

    private const string ByPartsSql = $"""
        {PartColumns}
        WHERE true
        {CommonFilters}
        {PageClause}
        """;

    private const string Explain = "EXPLAIN (ANALYZE, FORMAT JSON) ";

    public async Task<PartSearchPage> SearchPartsAsync(PartSearchQuery query, CancellationToken ct)
    {
        var sql = query.Number is not null ? ByNumberSql : query.ByVehicle ? ByVehicleSql : ByPartsSql;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<PartSummary>(new CommandDefinition(sql, Parameters(query), cancellationToken: ct))).ToList();

        var hasMore = rows.Count > query.PageSize;
        return new PartSearchPage(hasMore ? rows[..query.PageSize] : rows, query.Page, query.PageSize, hasMore);
    }

    /// <summary>For the bench: EXPLAIN ANALYZE of the very statement a search runs, with its parameters; server execution time in ms.</summary>
    public async Task<double> MeasureSearchAsync(PartSearchQuery query, CancellationToken ct)
    {
        var sql = query.Number is not null ? Explain + ByNumberSql : query.ByVehicle ? Explain + ByVehicleSql : Explain + ByPartsSql;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var plan = await connection.ExecuteScalarAsync<string>(new CommandDefinition(sql, Parameters(query), cancellationToken: ct));
        using var json = System.Text.Json.JsonDocument.Parse(plan!);
        return json.RootElement[0].GetProperty("Execution Time").GetDouble();
    }

    private static object Parameters(PartSearchQuery query) => new
    {
        query.Number,
        query.Name,
        query.Make,
        query.Model,
        query.Year,
        query.VehicleId,
        query.ByVehicle,
        query.CategoryId,
        query.IncludeAftermarket,
        Limit = query.PageSize + 1,
        query.Offset,
    };

    public async Task<PartDetail?> GetPartAsync(int id, CancellationToken ct)
    {
        const string sql = """
            SELECT p.id_part, p.oem_part_number, p.name_part, p.description,
                   p.id_category, c.name_category, p.id_manufacture, m.name_manufacture
            FROM parts p
            LEFT JOIN categories c ON c.id_category = p.id_category
            LEFT JOIN manufacturers m ON m.id_manufacture = p.id_manufacture
            WHERE p.id_part = @id;

            SELECT v.id_vehicle, v.brand, v.model, v.year, v.engine
            FROM vehicle_parts vp
            JOIN vehicles v ON v.id_vehicle = vp.vehicle_id
            WHERE vp.part_id = @id
            ORDER BY v.brand, v.model, v.year, v.engine;

            SELECT x.cross_reference_number, x.source_ref
            FROM part_cross_references x
            WHERE x.part_id = @id
            ORDER BY x.source_ref, x.cross_reference_number;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        var part = await results.ReadSingleOrDefaultAsync<PartSummary>();
        var vehicles = (await results.ReadAsync<PartVehicle>()).ToList();
        var crossReferences = (await results.ReadAsync<PartCrossReference>()).ToList();
        return part is null
            ? null
            : new PartDetail(part.IdPart, part.OemPartNumber, part.NamePart, part.Description, part.IdCategory, part.NameCategory,
                part.IdManufacture, part.NameManufacture, vehicles, crossReferences);
    }

    public async Task<IReadOnlyList<Category>> ListCategoriesAsync(CancellationToken ct)
    {
        const string sql = "SELECT id_category, name_category FROM categories ORDER BY name_category";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<Category>(new CommandDefinition(sql, cancellationToken: ct))).ToList();
    }

    public async Task<IReadOnlyList<VehicleMake>> ListMakesAsync(CancellationToken ct)
    {
        const string sql = "SELECT DISTINCT brand FROM vehicles ORDER BY brand";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var makes = await connection.QueryAsync<string>(new CommandDefinition(sql, cancellationToken: ct));
        return makes.Select(m => new VehicleMake(m)).ToList();
    }

    /// <summary>The models of a make (case-insensitive); empty when the make is unknown.</summary>
    public async Task<IReadOnlyList<VehicleModelName>> ListModelsAsync(string make, CancellationToken ct)
    {
        const string sql = """
            SELECT DISTINCT model FROM vehicles
            WHERE lower(brand) = lower(@make)
            ORDER BY model
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var models = await connection.QueryAsync<string>(new CommandDefinition(sql, new { make }, cancellationToken: ct));
        return models.Select(m => new VehicleModelName(m)).ToList();
    }

    /// <summary>The years of a make and model, newest first, each with its vehicles (one per engine); empty when unknown.</summary>
    public async Task<IReadOnlyList<VehicleYear>> ListYearsAsync(string make, string model, CancellationToken ct)
    {
        const string sql = """
            SELECT year, id_vehicle, engine FROM vehicles
            WHERE lower(brand) = lower(@make) AND lower(model) = lower(@model)
            ORDER BY year DESC, engine
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(short Year, int IdVehicle, string? Engine)>(new CommandDefinition(sql, new { make, model }, cancellationToken: ct));
        return rows.GroupBy(r => r.Year)
            .Select(g => new VehicleYear(g.Key, g.Select(r => new VehicleEngine(r.IdVehicle, r.Engine)).ToList()))
            .ToList();
    }
}
