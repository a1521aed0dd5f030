using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Core.Auth.Mfa;

/// <summary>
/// Turning TOTP multi-factor authentication on and off for a signed-in user (ASVS 6.3.3). Setup issues a pending secret;
/// confirming it with the current password and a first code activates it, returns ten recovery codes and ends the
/// account's other sessions; turning it off needs the password and a code. Wrong passwords and codes count in the
/// <see cref="LoginThrottle"/> like failed logins.
/// </summary>
public sealed class MfaService(
    NpgsqlDataSource db,
    PasswordHasher passwords,
    LoginThrottle throttle,
    MfaSecretProtector protector,
    TimeProvider clock,
    ILogger<MfaService> logger)
{
    /// <summary>A new pending secret (replacing an earlier pending one); refused while MFA is active.</summary>
    public async Task<MfaSetupResult> SetupAsync(int userId, CancellationToken cancellationToken)
    {
        const string findEmail = "SELECT email FROM users WHERE id_user = @userId";
        const string upsertPending = """
            INSERT INTO user_mfa (user_id, secret_encrypted) VALUES (@userId, @secret)
            ON CONFLICT (user_id) DO UPDATE SET secret_encrypted = excluded.secret_encrypted, created_at = now(), last_used_step = NULL
            WHERE user_mfa.confirmed_at IS NULL
            RETURNING user_id
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var email = await connection.QuerySingleAsync<string>(new CommandDefinition(findEmail, new { userId }, cancellationToken: cancellationToken));
        var secret = TotpCodes.NewSecret();
        var stored = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(upsertPending,
            new { userId, secret = protector.Protect(userId, secret) }, cancellationToken: cancellationToken));
        if (stored is null)
        {
            return new MfaSetupResult.AlreadyActive();
        }
        logger.LogInformation("User {UserId} started an MFA setup", userId);
        return new MfaSetupResult.Started(new MfaSetup(TotpCodes.Base32(secret), TotpCodes.Uri(secret, email)));
    }

    private sealed record PendingSetup(string Email, string Pass, byte[] SecretEncrypted, DateTime? ConfirmedAt);

    /// <summary>Activates the pending secret when the password is right and the code matches it.</summary>
    public async Task<MfaConfirmResult> ConfirmAsync(
        int userId, Guid family, string currentPassword, string code, string clientAddress, CancellationToken cancellationToken)
    {
        const string find = """
            SELECT u.email, u.pass, m.secret_encrypted, m.confirmed_at
            FROM users u JOIN user_mfa m ON m.user_id = u.id_user
            WHERE u.id_user = @userId AND u.is_active
            FOR UPDATE OF m
            """;
        const string activate = """
            UPDATE user_mfa SET confirmed_at = now(), last_used_step = @step WHERE user_id = @userId;
            DELETE FROM mfa_recovery_codes WHERE user_id = @userId;
            INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT @userId, unnest(@hashes);
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var pending = await connection.QuerySingleOrDefaultAsync<PendingSetup>(
            new CommandDefinition(find, new { userId }, transaction, cancellationToken: cancellationToken));
        if (pending is not { ConfirmedAt: null })
        {
            return new MfaConfirmResult.NoPendingSetup();
        }
        var (attempt, retryAfter) = await throttle.TryBeginAsync(EmailAddress.Normalize(pending.Email), clientAddress, cancellationToken);
        if (attempt is null)
        {
            return new MfaConfirmResult.Throttled(retryAfter);
        }
        if (!passwords.Verify(currentPassword, pending.Pass))
        {
            logger.LogInformation("MFA activation of user {UserId} refused: wrong current password", userId);
            return new MfaConfirmResult.WrongPassword();
        }
        if (protector.Unprotect(userId, pending.SecretEncrypted) is not { } secret
            || TotpCodes.MatchStep(secret, code.Trim(), clock.GetUtcNow(), null) is not { } step)
        {
            logger.LogInformation("MFA activation of user {UserId} refused: wrong code", userId);
            return new MfaConfirmResult.WrongCode();
        }
        attempt.Succeeded();
        var recoveryCodes = RecoveryCodes.New();
        var hashes = recoveryCodes.Select(c => RecoveryCodes.HashOf(c)!).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(activate, new { userId, step, hashes }, transaction, cancellationToken: cancellationToken));
        var ended = await Sessions.RevokeOtherFamiliesAsync(connection, transaction, userId, family, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("User {UserId} turned MFA on from {ClientAddress}; {Sessions} other sessions ended", userId, clientAddress, ended);
        return new MfaConfirmResult.Confirmed(recoveryCodes, ended);
    }

    private sealed record ActiveMfa(string Email, string Pass, byte[] SecretEncrypted, long? LastUsedStep);

    /// <summary>Turns MFA off with the current password and a TOTP or recovery code; ends the account's other sessions.</summary>
    public async Task<MfaDisableResult> DisableAsync(
        int userId, Guid family, string currentPassword, string code, string clientAddress, CancellationToken cancellationToken)
    {
        const string find = """
            SELECT u.email, u.pass, m.secret_encrypted, m.last_used_step
            FROM users u JOIN user_mfa m ON m.user_id = u.id_user
            WHERE u.id_user = @userId AND u.is_active AND m.confirmed_at IS NOT NULL
            FOR UPDATE OF m
            """;
        const string remove = """
            DELETE FROM user_mfa WHERE user_id = @userId;
            DELETE FROM mfa_recovery_codes WHERE user_id = @userId;
            DELETE FROM mfa_challenges WHERE user_id = @userId;
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var active = await connection.QuerySingleOrDefaultAsync<ActiveMfa>(
            new CommandDefinition(find, new { userId }, transaction, cancellationToken: cancellationToken));
        if (active is null)
        {
            return new MfaDisableResult.NotActive();
        }
        var (attempt, retryAfter) = await throttle.TryBeginAsync(EmailAddress.Normalize(active.Email), clientAddress, cancellationToken);
        if (attempt is null)
        {
            return new MfaDisableResult.Throttled(retryAfter);
        }
        if (!passwords.Verify(currentPassword, active.Pass))
        {
            logger.LogInformation("Turning MFA off for user {UserId} refused: wrong current password", userId);
            return new MfaDisableResult.WrongPassword();
        }
        if (await MfaCodeCheck.SpendAsync(connection, transaction, protector, userId, active.SecretEncrypted, active.LastUsedStep, code,
                clock.GetUtcNow(), cancellationToken) is null)
        {
            logger.LogInformation("Turning MFA off for user {UserId} refused: wrong code", userId);
            return new MfaDisableResult.WrongCode();
        }
        attempt.Succeeded();
        await connection.ExecuteAsync(new CommandDefinition(remove, new { userId }, transaction, cancellationToken: cancellationToken));
        var ended = await Sessions.RevokeOtherFamiliesAsync(connection, transaction, userId, family, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("User {UserId} turned MFA off from {ClientAddress}; {Sessions} other sessions ended", userId, clientAddress, ended);
        return new MfaDisableResult.Disabled(ended);
    }

    /// <summary>
    /// An admin removes the authenticator of a user who lost it together with the recovery codes (ASVS 6.4.4), after
    /// proving who the person is outside the app (as when the account was approved). Every session of the account ends;
    /// the user signs in with the password and may enrol a new authenticator.
    /// </summary>
    public async Task<MfaRemovalResult> RemoveForUserAsync(int actingUserId, int userId, CancellationToken cancellationToken)
    {
        const string exists = "SELECT EXISTS (SELECT 1 FROM users WHERE id_user = @userId)";
        const string remove = """
            WITH removed AS (DELETE FROM user_mfa WHERE user_id = @userId RETURNING confirmed_at)
            SELECT EXISTS (SELECT 1 FROM removed WHERE confirmed_at IS NOT NULL);
            DELETE FROM mfa_recovery_codes WHERE user_id = @userId;
            DELETE FROM mfa_challenges WHERE user_id = @userId;
            """;
        if (actingUserId == userId)
        {
            return new MfaRemovalResult.OwnAccount();
        }
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(exists, new { userId }, transaction, cancellationToken: cancellationToken)))
        {
            return new MfaRemovalResult.UserNotFound();
        }
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(remove, new { userId }, transaction, cancellationToken: cancellationToken)))
        {
            return new MfaRemovalResult.NotActive();
        }
        var ended = await Sessions.RevokeAllOfUserAsync(connection, transaction, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("Admin {AdminId} removed the MFA of user {UserId}; {Sessions} sessions ended", actingUserId, userId, ended);
        return new MfaRemovalResult.Removed(ended);
    }

    private sealed record StatusRow(DateTime? ConfirmedAt, int RecoveryCodesLeft);

    public async Task<MfaStatus> StatusAsync(int userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT m.confirmed_at,
                   (SELECT count(*)::int FROM mfa_recovery_codes r WHERE r.user_id = m.user_id AND r.used_at IS NULL) AS recovery_codes_left
            FROM user_mfa m
            WHERE m.user_id = @userId
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<StatusRow>(
            new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
        return row switch
        {
            null => new MfaStatus(false, false, 0, null),
            { ConfirmedAt: null } => new MfaStatus(false, true, 0, null),
            { } active => new MfaStatus(true, false, active.RecoveryCodesLeft, active.ConfirmedAt),
        };
    }

    /// <summary>Whether the user has MFA on (for <c>Auth:RequireMfaForAdmins</c>); one indexed lookup.</summary>
    public async Task<bool> IsActiveAsync(int userId, CancellationToken cancellationToken)
    {
        const string sql = "SELECT EXISTS (SELECT 1 FROM user_mfa WHERE user_id = @userId AND confirmed_at IS NOT NULL)";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
    }
}
