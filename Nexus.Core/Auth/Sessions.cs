using Dapper;
using Npgsql;

namespace Nexus.Core.Auth;

/// <summary>SQL over the sessions table (refresh tokens stored as SHA-256 hex, grouped in rotation families).</summary>
public static class Sessions
{
    /// <summary>Stores a new refresh token of the family and returns the token itself (only its hash is kept).</summary>
    /// <param name="client">Where the token goes, shown in the session list; null when unknown (tools, tests).</param>
    public static async Task<string> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, int userId, Guid family, DateTimeOffset expiresAt, CancellationToken cancellationToken,
        SessionClient? client = null)
    {
        const string sql = """
            INSERT INTO sessions (user_id, refresh_token, family_id, expires_at, user_agent, client_address)
            VALUES (@userId, @hash, @family, @expiresAt, @userAgent, @address)
            """;
        var token = RefreshTokens.New();
        await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            userId,
            hash = RefreshTokens.HashOf(token),
            family,
            expiresAt,
            userAgent = SessionClient.Clip(client?.UserAgent, SessionClient.MaxUserAgentLength),
            address = SessionClient.Clip(client?.Address, SessionClient.MaxAddressLength),
        }, transaction, cancellationToken: cancellationToken));
        return token;
    }

    /// <summary>
    /// The user's live session families, most recently used first: not revoked, with an unspent token, before their
    /// absolute expiry and not idle since <paramref name="idleSince"/>. Times are those of the family's tokens, so
    /// "last used" is the last login or refresh (access tokens in between leave no trace).
    /// </summary>
    public static async Task<IReadOnlyList<ActiveSession>> ListActiveAsync(
        NpgsqlConnection connection, int userId, Guid current, DateTimeOffset now, DateTimeOffset idleSince, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT family_id AS id,
                   min(created_at) AS created_at,
                   max(created_at) AS last_used_at,
                   max(expires_at) AS expires_at,
                   (array_agg(user_agent ORDER BY created_at DESC, id_session DESC))[1] AS user_agent,
                   (array_agg(client_address ORDER BY created_at DESC, id_session DESC))[1] AS client_address,
                   family_id = @current AS current
            FROM sessions
            WHERE user_id = @userId
            GROUP BY family_id
            HAVING bool_and(revoked_at IS NULL)
               AND bool_or(rotated_at IS NULL)
               AND max(expires_at) > @now
               AND max(created_at) > @idleSince
            ORDER BY family_id = @current DESC, last_used_at DESC, id
            """;
        var rows = await connection.QueryAsync<ActiveSession>(new CommandDefinition(
            sql, new { userId, current, now, idleSince }, cancellationToken: cancellationToken));
        return rows.AsList();
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

    /// <summary>Ends every session of a user (deactivation, ASVS 7.4.2; an admin's "end sessions", 7.4.5); returns how many families ended.</summary>
    public static Task<int> RevokeAllOfUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int userId, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH ended AS (
                UPDATE sessions SET revoked_at = now() WHERE user_id = @userId AND revoked_at IS NULL
                RETURNING family_id)
            SELECT count(DISTINCT family_id)::int FROM ended
            """;
        return connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { userId }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Ends every session of every user but the one given (an admin's "end all sessions", ASVS 7.4.5); returns how many families ended.</summary>
    public static Task<int> RevokeAllButAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid keep, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH ended AS (
                UPDATE sessions SET revoked_at = now() WHERE family_id <> @keep AND revoked_at IS NULL
                RETURNING family_id)
            SELECT count(DISTINCT family_id)::int FROM ended
            """;
        return connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, new { keep }, transaction, cancellationToken: cancellationToken));
    }
}
