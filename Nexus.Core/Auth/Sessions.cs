using Dapper;
using Npgsql;

namespace Nexus.Core.Auth;

/// <summary>SQL over the sessions table (refresh tokens stored as SHA-256 hex, grouped in rotation families).</summary>
public static class Sessions
{
    /// <summary>Stores a new refresh token of the family and returns the token itself (only its hash is kept).</summary>
    public static async Task<string> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, int userId, Guid family, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO sessions (user_id, refresh_token, family_id, expires_at)
            VALUES (@userId, @hash, @family, @expiresAt)
            """;
        var token = RefreshTokens.New();
        await connection.ExecuteAsync(new CommandDefinition(
            sql, new { userId, hash = RefreshTokens.HashOf(token), family, expiresAt }, transaction, cancellationToken: cancellationToken));
        return token;
    }

    public static Task<int> RevokeFamilyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid family, CancellationToken cancellationToken, int? userId = null)
    {
        const string sql = """
            UPDATE sessions SET revoked_at = now()
            WHERE family_id = @family AND revoked_at IS NULL AND (@userId::int IS NULL OR user_id = @userId)
            """;
        return connection.ExecuteAsync(new CommandDefinition(sql, new { family, userId }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Ends every session of a user but the one given (a password change, ASVS 7.4.3).</summary>
    public static Task<int> RevokeOtherFamiliesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int userId, Guid keep, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE sessions SET revoked_at = now() WHERE user_id = @userId AND family_id <> @keep AND revoked_at IS NULL
            """;
        return connection.ExecuteAsync(new CommandDefinition(sql, new { userId, keep }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Ends every session of a user (deactivation, ASVS 7.4.2).</summary>
    public static Task<int> RevokeAllOfUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int userId, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE sessions SET revoked_at = now() WHERE user_id = @userId AND revoked_at IS NULL
            """;
        return connection.ExecuteAsync(new CommandDefinition(sql, new { userId }, transaction, cancellationToken: cancellationToken));
    }
}
