using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Core.DataSets;

/// <summary>
/// Loads a deterministic data set into an empty, migrated catalog in one transaction (binary COPY, indexes rebuilt
/// after the load) and records it in data_sets. Seeding a database that already holds that data set does nothing.
/// </summary>
public static class DataSetGenerator
{
    private static readonly string[] BulkTables = ["parts", "vehicle_parts", "part_cross_references"];

    public static Task<DataSetSummary> SeedAsync(NpgsqlDataSource dataSource, DataSetSize size, CancellationToken ct = default) =>
        SeedAsync(dataSource, DataSetShape.For(size), NullLogger.Instance, ct);

    public static async Task<DataSetSummary> SeedAsync(NpgsqlDataSource dataSource, DataSetShape shape, ILogger logger, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        // Two hosts starting at once: the second waits here, then finds the marker and reuses the data.
        await connection.ExecuteAsync(new CommandDefinition("LOCK TABLE data_sets IN SHARE ROW EXCLUSIVE MODE", transaction: transaction, cancellationToken: ct));
        if (await LoadedSummaryAsync(connection, transaction, shape.Name, ct) is { } loaded)
        {
            await transaction.CommitAsync(ct);
            logger.LogInformation("Data set {DataSet} is already loaded; reusing it", shape.Name);
            return loaded with { AlreadyLoaded = true };
        }
        await EnsureEmptyCatalogAsync(connection, transaction, ct);

        var rows = CatalogRowsBuilder.Build(shape);
        logger.LogInformation("Generated data set {DataSet}: {Parts} parts in {Elapsed} ms", shape.Name, rows.Parts.Count, clock.ElapsedMilliseconds);

        await connection.ExecuteAsync(new CommandDefinition("SET LOCAL maintenance_work_mem = '512MB'", transaction: transaction, cancellationToken: ct));
        var deferred = await DeferredSchema.DropAsync(connection, transaction, BulkTables, ct);
        await CopyRowsAsync(connection, rows, ct);
        await InsertAftermarketPartsAsync(connection, transaction, rows, ct);
        await AdvanceIdentitiesAsync(connection, transaction, ct);
        logger.LogInformation("Copied data set {DataSet} in {Elapsed} ms; rebuilding {Count} indexes and foreign keys", shape.Name, clock.ElapsedMilliseconds, deferred.Count);
        await deferred.RestoreAsync(connection, transaction, ct);

        var accounts = await DemoAccounts.EnsureAsync(connection, transaction, ct);
        var summary = new DataSetSummary(shape.Name, rows.Manufacturers.Count, rows.Categories.Count, rows.Vehicles.Count,
            rows.Parts.Count - rows.AftParts, rows.AftParts, rows.VehicleParts, rows.CrossReferences.Count, rows.AftermarketParts.Count,
            accounts, Math.Round(clock.Elapsed.TotalSeconds, 1));
        await RecordAsync(connection, transaction, shape, summary, ct);
        await transaction.CommitAsync(ct);

        // VACUUM sets the visibility map, so the covering prefix indexes answer with index-only scans.
        const string analyze = "VACUUM ANALYZE manufacturers, categories, vehicles, parts, vehicle_parts, part_cross_references, aftermarket_parts";
        await connection.ExecuteAsync(new CommandDefinition(analyze, commandTimeout: 0, cancellationToken: ct));
        summary = summary with { LoadSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1) };
        logger.LogInformation("Loaded {Summary}", summary);
        return summary;
    }

    private static async Task<DataSetSummary?> LoadedSummaryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken ct)
    {
        const string sql = "SELECT summary::text FROM data_sets WHERE name = @name";
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { name }, transaction, cancellationToken: ct));
        return json is null ? null : JsonSerializer.Deserialize<DataSetSummary>(json);
    }

    private static async Task EnsureEmptyCatalogAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        const string sql = """
            SELECT (SELECT string_agg(name, ', ') FROM data_sets) AS data_sets,
                   EXISTS (SELECT 1 FROM parts) OR EXISTS (SELECT 1 FROM manufacturers)
                   OR EXISTS (SELECT 1 FROM categories) OR EXISTS (SELECT 1 FROM vehicles) AS has_catalog
            """;
        var (dataSets, hasCatalog) = await connection.QuerySingleAsync<(string?, bool)>(new CommandDefinition(sql, transaction: transaction, cancellationToken: ct));
        if (dataSets is not null)
        {
            throw new InvalidOperationException($"The database already holds data set(s) {dataSets}; load another one into a fresh database.");
        }
        if (hasCatalog)
        {
            throw new InvalidOperationException("The catalog tables already hold rows that no data set loaded; refusing to mix a data set into them.");
        }
    }

    private static async Task CopyRowsAsync(NpgsqlConnection connection, CatalogRows rows, CancellationToken ct)
    {
        await CopyAsync(connection, "COPY manufacturers (id_manufacture, name_manufacture) FROM STDIN (FORMAT BINARY)", rows.Manufacturers,
            async (w, m) =>
            {
                await w.WriteAsync(m.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(m.Name, NpgsqlDbType.Varchar, ct);
            }, ct);
        await CopyAsync(connection, "COPY categories (id_category, name_category) FROM STDIN (FORMAT BINARY)", rows.Categories,
            async (w, c) =>
            {
                await w.WriteAsync(c.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(c.Name, NpgsqlDbType.Varchar, ct);
            }, ct);
        await CopyAsync(connection, "COPY vehicles (id_vehicle, brand, model, year, engine) FROM STDIN (FORMAT BINARY)", rows.Vehicles,
            async (w, v) =>
            {
                await w.WriteAsync(v.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(v.Brand, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(v.Model, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(v.Year, NpgsqlDbType.Smallint, ct);
                await w.WriteAsync(v.Engine, NpgsqlDbType.Varchar, ct);
            }, ct);
        await CopyAsync(connection, "COPY parts (id_part, oem_part_number, name_part, description, id_category, id_manufacture) FROM STDIN (FORMAT BINARY)", rows.Parts,
            async (w, p) =>
            {
                await w.WriteAsync(p.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(p.Number, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(p.Name, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(p.Description, NpgsqlDbType.Text, ct);
                await w.WriteAsync(p.CategoryId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(p.ManufacturerId, NpgsqlDbType.Integer, ct);
            }, ct);
        await CopyAsync(connection, "COPY vehicle_parts (vehicle_id, part_id) FROM STDIN (FORMAT BINARY)", VehicleParts(rows),
            async (w, link) =>
            {
                await w.WriteAsync(link.VehicleId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(link.PartId, NpgsqlDbType.Integer, ct);
            }, ct);
        await CopyAsync(connection, "COPY part_cross_references (id_cross_reference, part_id, cross_reference_number, source_ref) FROM STDIN (FORMAT BINARY)", rows.CrossReferences,
            async (w, x) =>
            {
                await w.WriteAsync(x.Id, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(x.PartId, NpgsqlDbType.Integer, ct);
                await w.WriteAsync(x.Number, NpgsqlDbType.Varchar, ct);
                await w.WriteAsync(x.Source, NpgsqlDbType.Varchar, ct);
            }, ct);
    }

    private static IEnumerable<(int VehicleId, int PartId)> VehicleParts(CatalogRows rows)
    {
        foreach (var part in rows.Parts)
        {
            for (var i = 0; i < part.VehicleCount; i++)
            {
                yield return (part.FirstVehicleId + i, part.Id);
            }
        }
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string copy, IEnumerable<T> rows, Func<NpgsqlBinaryImporter, T, Task> write, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(copy, ct);
        writer.Timeout = TimeSpan.Zero;
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            await write(writer, row);
        }
        await writer.CompleteAsync(ct);
    }

    private static async Task InsertAftermarketPartsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CatalogRows rows, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO aftermarket_parts (id_aftermarket_parts, oem_part_id, manufacturer_id, part_number, name_aftermarket_parts)
            VALUES (@Id, @OemPartId, @ManufacturerId, @PartNumber, @Name)
            """;
        foreach (var row in rows.AftermarketParts)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, row, transaction, cancellationToken: ct));
        }
    }

    /// <summary>The rows carry explicit ids; move each identity past them so later inserts do not collide.</summary>
    private static async Task AdvanceIdentitiesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        const string sql = """
            SELECT setval(pg_get_serial_sequence('manufacturers', 'id_manufacture'), (SELECT max(id_manufacture) FROM manufacturers)),
                   setval(pg_get_serial_sequence('categories', 'id_category'), (SELECT max(id_category) FROM categories)),
                   setval(pg_get_serial_sequence('vehicles', 'id_vehicle'), (SELECT max(id_vehicle) FROM vehicles)),
                   setval(pg_get_serial_sequence('parts', 'id_part'), (SELECT max(id_part) FROM parts)),
                   setval(pg_get_serial_sequence('part_cross_references', 'id_cross_reference'), (SELECT coalesce(max(id_cross_reference), 1) FROM part_cross_references)),
                   setval(pg_get_serial_sequence('aftermarket_parts', 'id_aftermarket_parts'), (SELECT max(id_aftermarket_parts) FROM aftermarket_parts))
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: ct));
    }

    private static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DataSetShape shape, DataSetSummary summary, CancellationToken ct)
    {
        const string sql = "INSERT INTO data_sets (name, seed, summary) VALUES (@name, @seed, @summary::jsonb)";
        await connection.ExecuteAsync(new CommandDefinition(sql,
            new { name = shape.Name, seed = (long)shape.Seed, summary = JsonSerializer.Serialize(summary) }, transaction, cancellationToken: ct));
    }
}
