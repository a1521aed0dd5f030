using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Nexus.Core.Auth;

/// <summary>A one-time reset link's token for one user, to hand over out of band; only its SHA-256 is stored.</summary>
public sealed record PasswordResetLink(int UserId, string Token, DateTimeOffset ExpiresAt);

public abstract record PasswordResetResult
{
    /// <summary>The password is set, the token spent and every session of the account ended.</summary>
    public sealed record Completed(int UserId, int SessionsEnded) : PasswordResetResult;

    /// <summary>Unknown, expired, superseded or already used: deliberately one answer.</summary>
    public sealed record InvalidToken : PasswordResetResult;

    /// <summary>The token is good but the new password breaks the policy; the token stays usable.</summary>
    public sealed record Invalid(Dictionary<string, string[]> Errors) : PasswordResetResult;
}

/// <summary>
/// Password reset started by an ADMIN or OWNER (ASVS 6.4.3, 6.4.6). The admin gets a one-time token (256 random bits,
/// stored as its SHA-256, valid <see cref="AuthOptions.PasswordResetMinutes"/>, superseding any earlier one of the user)
/// and passes it to the user, who chooses the new password with it: the admin never sees or chooses the password.
/// Setting it spends the token and ends every session of the account.
/// </summary>
public sealed class PasswordResetService(
    NpgsqlDataSource db,
    PasswordHasher passwords,
    BreachedPasswords breached,
    IOptions<AuthOptions> options,
    TimeProvider clock,
    ILogger<PasswordResetService> logger)
{
    /// <summary>Starts a reset for <paramref name="userId"/>; earlier open tokens of the user stop working. Null when there is no such user.</summary>
    public async Task<PasswordResetLink?> StartAsync(int actingUserId, int userId, CancellationToken cancellationToken)
    {
        // The user's row is locked first, so two resets started at once for one user leave only the later token open.
        const string lockUser = "SELECT id_user FROM users WHERE id_user = @userId FOR NO KEY UPDATE";
        const string supersede = """
            UPDATE password_resets SET revoked_at = now()
            WHERE user_id = @userId AND used_at IS NULL AND revoked_at IS NULL
            """;
        const string insert = """
            INSERT INTO password_resets (user_id, token_hash, created_by, expires_at)
            VALUES (@userId, @hash, @actingUserId, @expiresAt)
            """;
        var token = RefreshTokens.New();
        var expiresAt = clock.GetUtcNow() + TimeSpan.FromMinutes(options.Value.PasswordResetMinutes);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<int?>(new CommandDefinition(lockUser, new { userId }, transaction, cancellationToken: cancellationToken)) is null)
        {
            return null;
        }
        var superseded = await connection.ExecuteAsync(new CommandDefinition(supersede, new { userId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(insert, new { userId, hash = RefreshTokens.HashOf(token), actingUserId, expiresAt },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("Password reset of user {UserId} started by {ActingUserId}, valid until {ExpiresAt}; {Superseded} earlier links superseded",
            userId, actingUserId, expiresAt, superseded);
        return new PasswordResetLink(userId, token, expiresAt);
    }

    private sealed record OpenReset(long Id, int UserId, int? CreatedBy, string Email, string Name, string? BusinessName);

    /// <summary>Sets the password with a reset token: the policy applies, the token is spent, every session of the account ends.</summary>
    public async Task<PasswordResetResult> CompleteAsync(string token, string newPassword, string clientAddress, CancellationToken cancellationToken)
    {
        // FOR UPDATE: of two requests with the same token, the second waits and then finds it used.
        const string find = """
            SELECT r.id_password_reset AS id, r.user_id, r.created_by, u.email, u.name_user AS name, u.business_name
            FROM password_resets r JOIN users u ON u.id_user = r.user_id
            WHERE r.token_hash = @hash AND r.used_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > @now
            FOR UPDATE OF r
            """;
        const string setPassword = "UPDATE users SET pass = @hash WHERE id_user = @UserId";
        const string spend = """
            UPDATE password_resets SET used_at = now() WHERE id_password_reset = @Id;
            UPDATE password_resets SET revoked_at = now()
            WHERE user_id = @UserId AND id_password_reset <> @Id AND used_at IS NULL AND revoked_at IS NULL;
            """;
        var parameters = new { hash = RefreshTokens.HashOf(token), now = clock.GetUtcNow() };
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // First outside a transaction: the password is screened (the breached-password lookup may take seconds) before
        // any row is held locked; then the token is locked and checked again, since another request may have used it meanwhile.
        var open = await connection.QuerySingleOrDefaultAsync<OpenReset>(new CommandDefinition(find, parameters, cancellationToken: cancellationToken));
        if (open is null)
        {
            logger.LogWarning("Password reset with an unknown, expired or used token from {ClientAddress}", clientAddress);
            return new PasswordResetResult.InvalidToken();
        }
        var problem = PasswordPolicy.Problem(newPassword, open.Email, open.Name, open.BusinessName)
            ?? await breached.ProblemAsync(newPassword, cancellationToken);
        if (problem is not null)
        {
            return new PasswordResetResult.Invalid(new Dictionary<string, string[]> { ["new_password"] = [problem] });
        }
        var hash = passwords.Hash(newPassword);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var reset = await connection.QuerySingleOrDefaultAsync<OpenReset>(new CommandDefinition(find, parameters, transaction, cancellationToken: cancellationToken));
        if (reset is null)
        {
            logger.LogWarning("Password reset with a token used meanwhile from {ClientAddress}", clientAddress);
            return new PasswordResetResult.InvalidToken();
        }
        await connection.ExecuteAsync(new CommandDefinition(setPassword, new { hash, reset.UserId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(spend, new { reset.Id, reset.UserId }, transaction, cancellationToken: cancellationToken));
        var ended = await Sessions.RevokeAllOfUserAsync(connection, transaction, reset.UserId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("Password of user {UserId} reset from {ClientAddress} with a link started by {CreatedBy}; {Sessions} sessions ended",
            reset.UserId, clientAddress, reset.CreatedBy, ended);
        return new PasswordResetResult.Completed(reset.UserId, ended);
    }
}
