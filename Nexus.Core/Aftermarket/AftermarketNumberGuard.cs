using Dapper;
using Npgsql;

namespace Nexus.Core.Aftermarket;

/// <summary>
/// After a completed migration the database refuses new AFT- numbers in parts. The CHECK is added NOT VALID:
/// unresolved AFT parts stay in the table, but every insert or update from then on is checked.
/// </summary>
public static class AftermarketNumberGuard
{
    public const string ConstraintName = "parts_no_aft_numbers";

    public static async Task EnableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (await IsEnabledAsync(connection, transaction, cancellationToken))
        {
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition(EnableSql, transaction: transaction, cancellationToken: cancellationToken));
    }

    public static Task DisableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(DisableSql, transaction: transaction, cancellationToken: cancellationToken));

    public static Task<bool> IsEnabledAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(IsEnabledSql, new { name = ConstraintName }, transaction, cancellationToken: cancellationToken));

    private const string IsEnabledSql = """
        SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'parts'::regclass AND conname = @name)
        """;

    internal const string EnableSql = """
        ALTER TABLE parts ADD CONSTRAINT parts_no_aft_numbers CHECK (oem_part_number NOT LIKE 'AFT-%') NOT VALID
        """;

    private const string DisableSql = """
        ALTER TABLE parts DROP CONSTRAINT IF EXISTS parts_no_aft_numbers
        """;
}
