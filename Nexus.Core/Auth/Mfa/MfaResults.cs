namespace Nexus.Core.Auth.Mfa;

/// <summary>A new, still pending authenticator: the only time its secret leaves the server.</summary>
public sealed record MfaSetup(string Secret, string OtpauthUri);

/// <summary>The caller's MFA state, without any secret.</summary>
public sealed record MfaStatus(bool Enabled, bool Pending, int RecoveryCodesLeft, DateTime? EnabledAt);

/// <summary>The second step of a login: a short-lived, single-use token to present with a code.</summary>
public sealed record MfaChallenge(string Token, int ExpiresIn);

public abstract record MfaSetupResult
{
    public sealed record Started(MfaSetup Setup) : MfaSetupResult;

    /// <summary>MFA is already on: it must be turned off (password and code) before a new secret is issued.</summary>
    public sealed record AlreadyActive : MfaSetupResult;
}

public abstract record MfaConfirmResult
{
    /// <summary>Active from now on; the recovery codes are shown this once. Every other session has ended.</summary>
    public sealed record Confirmed(IReadOnlyList<string> RecoveryCodes, int SessionsEnded) : MfaConfirmResult;

    public sealed record NoPendingSetup : MfaConfirmResult;

    public sealed record WrongPassword : MfaConfirmResult;

    public sealed record WrongCode : MfaConfirmResult;

    public sealed record Throttled(TimeSpan RetryAfter) : MfaConfirmResult;
}

public abstract record MfaDisableResult
{
    public sealed record Disabled(int SessionsEnded) : MfaDisableResult;

    public sealed record NotActive : MfaDisableResult;

    public sealed record WrongPassword : MfaDisableResult;

    public sealed record WrongCode : MfaDisableResult;

    public sealed record Throttled(TimeSpan RetryAfter) : MfaDisableResult;
}

public abstract record MfaVerifyResult
{
    public sealed record Verified(AuthSession Session) : MfaVerifyResult;

    /// <summary>Unknown, expired, already used, or spent by too many wrong codes: log in again.</summary>
    public sealed record InvalidChallenge : MfaVerifyResult;

    /// <summary>The challenge is still good; another code may be tried.</summary>
    public sealed record WrongCode : MfaVerifyResult;

    public sealed record Throttled(TimeSpan RetryAfter) : MfaVerifyResult;
}

public abstract record MfaRemovalResult
{
    /// <summary>The authenticator and recovery codes are gone and every session of the account has ended.</summary>
    public sealed record Removed(int SessionsEnded) : MfaRemovalResult;

    public sealed record UserNotFound : MfaRemovalResult;

    public sealed record NotActive : MfaRemovalResult;

    /// <summary>An admin turns off their own MFA on their account page, with password and code, like everyone else.</summary>
    public sealed record OwnAccount : MfaRemovalResult;
}
