using Dapper;
using Npgsql;

namespace Nexus.Core.Auth;

/// <summary>
/// The client addresses each account logged in from successfully (<c>known_login_addresses</c>, migration 0131): the
/// <see cref="LoginThrottle"/> lets them past the account-wide failure limit (ASVS 6.1.1). In PostgreSQL, not in memory
/// like the failure counters, because forgetting them is what would let an attacker lock the owner out: after a restart,
/// a scale-out or a cold start every instance must still know the owner's addresses.
/// </summary>
public static class KnownLoginAddresses
{
    /// <summary>Records a successful login of <paramref name="userId"/> from <paramref name="address"/> and forgets the account's stale ones.</summary>
    public static async Task RecordAsync(
        NpgsqlConnection connection, int userId, string address, DateTimeOffset now, DateTimeOffset knownSince, CancellationToken cancellationToken)
    {
        const string sql = """
            DELETE FROM known_login_addresses WHERE user_id = @userId AND last_login_at <= @knownSince;
            INSERT INTO known_login_addresses (user_id, client_address, last_login_at)
            VALUES (@userId, @address, @now)
            ON CONFLICT (user_id, client_address) DO UPDATE SET last_login_at = excluded.last_login_at;
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, address = Clip(address), now, knownSince },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Whether the account of this (normalised) email logged in from <paramref name="address"/> after <paramref name="knownSince"/>.
    /// False for an email without an account, which the throttle then treats like any other unknown address.
    /// </summary>
    public static async Task<bool> IsKnownAsync(
        NpgsqlDataSource db, string account, string address, DateTimeOffset knownSince, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT EXISTS (
                SELECT 1
                FROM users u JOIN known_login_addresses k ON k.user_id = u.id_user
                WHERE lower(u.email) = @account AND k.client_address = @address AND k.last_login_at > @knownSince)
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { account, address = Clip(address), knownSince },
            cancellationToken: cancellationToken));
    }

    private static string Clip(string address) => SessionClient.Clip(address, SessionClient.MaxAddressLength) ?? "unknown";
}
