using Dapper;
using Npgsql;

namespace Nexus.Core.Auth.Mfa;

/// <summary>SQL over mfa_challenges: the token a correct password earns when the account has MFA on.</summary>
public static class MfaChallenges
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>Wrong codes one challenge takes before it is dead and the password must be given again.</summary>
    public const int MaxWrongCodes = 5;

    /// <summary>
    /// A new challenge for the user if MFA is active, else null (the login goes on as a password login). The user's
    /// expired challenges are deleted on the way, so the table stays small.
    /// </summary>
    public static async Task<MfaChallenge?> StartIfActiveAsync(NpgsqlConnection connection, int userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        const string sql = """
            WITH expired AS (DELETE FROM mfa_challenges WHERE user_id = @userId AND expires_at < @now)
            INSERT INTO mfa_challenges (user_id, token_hash, expires_at)
            SELECT @userId, @hash, @expiresAt
            WHERE EXISTS (SELECT 1 FROM user_mfa WHERE user_id = @userId AND confirmed_at IS NOT NULL)
            RETURNING id_mfa_challenge
            """;
        var token = RefreshTokens.New();
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(sql,
            new { userId, now, hash = RefreshTokens.HashOf(token), expiresAt = now + Lifetime }, cancellationToken: cancellationToken));
        return id is null ? null : new MfaChallenge(token, (int)Lifetime.TotalSeconds);
    }
}
