using Dapper;
using Npgsql;

namespace Nexus.Core.DataSets;

/// <summary>
/// Secondary indexes and foreign keys of the bulk-loaded tables, dropped before COPY and rebuilt after it:
/// building a GIN trigram index or validating a foreign key once over millions of rows is many times faster
/// than maintaining them row by row. Primary keys stay (other features' tables reference parts).
/// </summary>
public sealed class DeferredSchema
{
    private readonly List<Statement> _statements;

    private DeferredSchema(List<Statement> statements) => _statements = statements;

    private sealed record Statement(string DropSql, string CreateSql, bool IsConstraint);

    /// <summary>Reads the definitions from the catalog (so whatever later migrations add is kept) and drops them.</summary>
    public static async Task<DeferredSchema> DropAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] tables, CancellationToken ct)
    {
        // The statements are composed by PostgreSQL itself from its catalog (format %I / regclass quote the names).
        const string sql = """
            SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql,
                   pg_get_indexdef(i.indexrelid) AS create_sql,
                   false AS is_constraint
            FROM pg_index i
            WHERE i.indrelid = ANY(@tables::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            UNION ALL
            SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)),
                   true
            FROM pg_constraint c
            WHERE c.conrelid = ANY(@tables::regclass[]) AND c.contype = 'f'
            """;
        var rows = await connection.QueryAsync<(string DropSql, string CreateSql, bool IsConstraint)>(
            new CommandDefinition(sql, new { tables }, transaction, cancellationToken: ct));
        var statements = rows.Select(r => new Statement(r.DropSql, r.CreateSql, r.IsConstraint)).ToList();
        foreach (var statement in statements)
        {
            await connection.ExecuteAsync(new CommandDefinition(statement.DropSql, transaction: transaction, cancellationToken: ct));
        }
        return new DeferredSchema(statements);
    }

    public int Count => _statements.Count;

    /// <summary>Indexes first, then the foreign keys, each validated once over the loaded rows.</summary>
    public async Task RestoreAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        foreach (var statement in _statements.OrderBy(s => s.IsConstraint))
        {
            await connection.ExecuteAsync(new CommandDefinition(statement.CreateSql, transaction: transaction, commandTimeout: 0, cancellationToken: ct));
        }
    }
}
