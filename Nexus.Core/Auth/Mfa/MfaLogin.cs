using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Core.Auth.Mfa;

/// <summary>
/// The second step of a login with MFA on: the challenge token from the password step and a TOTP or recovery code
/// open the session exactly as a password login does. Each wrong code counts in the <see cref="LoginThrottle"/> like a
/// wrong password (same account and address windows) and on the challenge, which dies after
/// <see cref="MfaChallenges.MaxWrongCodes"/> of them; a right code spends the challenge.
/// </summary>
public sealed class MfaLogin(
    NpgsqlDataSource db,
    AuthService auth,
    LoginThrottle throttle,
    MfaSecretProtector protector,
    TimeProvider clock,
    ILogger<MfaLogin> logger)
{
    private sealed record OpenChallenge(long Id, int UserId, string Email, byte[] SecretEncrypted, long? LastUsedStep);

    public async Task<MfaVerifyResult> VerifyAsync(string challengeToken, string code, SessionClient client, CancellationToken cancellationToken)
    {
        // FOR UPDATE: of two requests with one challenge (or one account's codes), the second waits and sees the first's outcome.
        const string find = """
            SELECT c.id_mfa_challenge AS id, c.user_id, u.email, m.secret_encrypted, m.last_used_step
            FROM mfa_challenges c
            JOIN users u ON u.id_user = c.user_id AND u.is_active
            JOIN user_mfa m ON m.user_id = c.user_id AND m.confirmed_at IS NOT NULL
            WHERE c.token_hash = @hash AND c.used_at IS NULL AND c.expires_at > @now AND c.failed_attempts < @maxWrongCodes
            FOR UPDATE OF c, m
            """;
        const string countWrongCode = "UPDATE mfa_challenges SET failed_attempts = failed_attempts + 1 WHERE id_mfa_challenge = @Id";
        const string spend = """
            UPDATE mfa_challenges SET used_at = now() WHERE id_mfa_challenge = @Id;
            UPDATE users SET last_login = now() WHERE id_user = @UserId;
            """;
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var challenge = await connection.QuerySingleOrDefaultAsync<OpenChallenge>(new CommandDefinition(find,
            new { hash = RefreshTokens.HashOf(challengeToken), now, maxWrongCodes = MfaChallenges.MaxWrongCodes }, transaction,
            cancellationToken: cancellationToken));
        if (challenge is null)
        {
            logger.LogInformation("MFA verification with an unknown, expired or used challenge from {ClientAddress}", client.Address);
            return new MfaVerifyResult.InvalidChallenge();
        }
        var (attempt, retryAfter) = await throttle.TryBeginAsync(EmailAddress.Normalize(challenge.Email), client.Address ?? "unknown", cancellationToken);
        if (attempt is null)
        {
            logger.LogWarning("MFA verification of user {UserId} throttled for {ClientAddress}", challenge.UserId, client.Address);
            return new MfaVerifyResult.Throttled(retryAfter);
        }
        var kind = await MfaCodeCheck.SpendAsync(connection, transaction, protector, challenge.UserId, challenge.SecretEncrypted,
            challenge.LastUsedStep, code, now, cancellationToken);
        if (kind is null)
        {
            await connection.ExecuteAsync(new CommandDefinition(countWrongCode, new { challenge.Id }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Wrong MFA code for user {UserId} from {ClientAddress}", challenge.UserId, client.Address);
            return new MfaVerifyResult.WrongCode();
        }
        await connection.ExecuteAsync(new CommandDefinition(spend, new { challenge.Id, challenge.UserId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        attempt.Succeeded();

        var user = await UserAccounts.FindAsync(connection, challenge.UserId, cancellationToken)
            ?? throw new InvalidOperationException($"User {challenge.UserId} vanished during MFA verification.");
        var session = await auth.StartSessionAsync(user, cancellationToken, client);
        logger.LogInformation("User {UserId} logged in with {Factor}", user.UserId, kind == MfaCodeKind.Totp ? "a TOTP code" : "a recovery code");
        return new MfaVerifyResult.Verified(session);
    }
}
