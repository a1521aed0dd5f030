using Dapper;
using Npgsql;

namespace Nexus.Core.Inventory;

public sealed record SavedMapping(InventoryColumnMapping Mapping, DateTime UpdatedAt);

/// <summary>Each bodega's saved column mapping (one per user).</summary>
public sealed class InventoryMappings(NpgsqlDataSource db)
{
    private sealed record Row(string Mapping, DateTime UpdatedAt);

    public async Task<SavedMapping?> GetAsync(int userId, CancellationToken ct)
    {
        const string sql = "SELECT mapping::text AS mapping, updated_at FROM inventory_column_mappings WHERE user_id = @userId";
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { userId }, cancellationToken: ct));
        return row is null ? null : new SavedMapping(InventoryColumnMapping.FromJson(row.Mapping), row.UpdatedAt);
    }

    public async Task<bool> ExistsAsync(int userId, CancellationToken ct)
    {
        const string sql = "SELECT EXISTS (SELECT 1 FROM inventory_column_mappings WHERE user_id = @userId)";
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { userId }, cancellationToken: ct));
    }

    public async Task<SavedMapping> SaveAsync(int userId, InventoryColumnMapping mapping, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO inventory_column_mappings (user_id, mapping) VALUES (@userId, @mapping::jsonb)
            ON CONFLICT (user_id) DO UPDATE SET mapping = excluded.mapping, updated_at = now()
            RETURNING updated_at
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var updatedAt = await connection.ExecuteScalarAsync<DateTime>(
            new CommandDefinition(sql, new { userId, mapping = mapping.ToJson() }, cancellationToken: ct));
        return new SavedMapping(mapping, updatedAt);
    }
}
