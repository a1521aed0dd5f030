using Dapper;
using Npgsql;

namespace Nexus.Core.Database;

/// <summary>
/// Statements with one good plan whatever their parameters (lookups by id, the generic-plan searches) run prepared:
/// planning such a statement costs several times its execution (part detail: ~1 ms planning its three statements,
/// 0.15 ms running them). Npgsql keeps the prepared statement on the physical connection, so after the first call
/// on a pooled connection a call only binds and runs. Rows are read with Dapper's row parser.
/// </summary>
public static class PreparedCommands
{
    public static NpgsqlCommand Prepared(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        return command;
    }

    public static async Task<NpgsqlDataReader> ExecutePreparedReaderAsync(this NpgsqlCommand command, CancellationToken ct)
    {
        await command.PrepareAsync(ct);
        return await command.ExecuteReaderAsync(ct);
    }

    /// <summary>The rows of the current result (after any results without columns, such as SET), then moves to the next result.</summary>
    public static async Task<List<T>> ReadRowsAsync<T>(this NpgsqlDataReader reader, CancellationToken ct)
    {
        while (reader.FieldCount == 0 && await reader.NextResultAsync(ct))
        {
        }
        var parse = reader.GetRowParser<T>();
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(parse(reader));
        }
        await reader.NextResultAsync(ct);
        return rows;
    }
}
