using Dapper;
using Npgsql;

namespace Nexus.Core.Auth.Mfa;

public enum MfaCodeKind
{
    Totp,
    RecoveryCode,
}

/// <summary>Checks and spends a second-factor code inside the caller's transaction (the user's user_mfa row locked).</summary>
internal static class MfaCodeCheck
{
    /// <summary>
    /// A TOTP code valid now (±1 step) for a step later than the last one used, whose step is then recorded; or an
    /// unused recovery code of the user, which is then spent. Null for anything else.
    /// </summary>
    public static async Task<MfaCodeKind?> SpendAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, MfaSecretProtector protector, int userId, byte[] secretEncrypted,
        long? lastUsedStep, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The step condition is repeated in SQL, so two requests with one code can never both pass.
        const string recordStep = """
            UPDATE user_mfa SET last_used_step = @step
            WHERE user_id = @userId AND (last_used_step IS NULL OR last_used_step < @step)
            """;
        const string spendRecoveryCode = """
            UPDATE mfa_recovery_codes SET used_at = now()
            WHERE user_id = @userId AND code_hash = @hash AND used_at IS NULL
            """;
        var typed = code.Trim();
        if (TotpCodes.LooksLikeCode(typed))
        {
            if (protector.Unprotect(userId, secretEncrypted) is not { } secret
                || TotpCodes.MatchStep(secret, typed, now, lastUsedStep) is not { } step)
            {
                return null;
            }
            var recorded = await connection.ExecuteAsync(new CommandDefinition(recordStep, new { userId, step }, transaction, cancellationToken: cancellationToken));
            return recorded == 1 ? MfaCodeKind.Totp : null;
        }
        if (RecoveryCodes.HashOf(typed) is not { } hash)
        {
            return null;
        }
        var spent = await connection.ExecuteAsync(new CommandDefinition(spendRecoveryCode, new { userId, hash }, transaction, cancellationToken: cancellationToken));
        return spent == 1 ? MfaCodeKind.RecoveryCode : null;
    }
}
