namespace Nexus.Core.Auth;

public abstract record LoginResult
{
    public sealed record Success(AuthSession Session) : LoginResult;

    /// <summary>Unknown email, wrong password, pending or deactivated account: deliberately one answer.</summary>
    public sealed record InvalidCredentials : LoginResult;

    public sealed record Throttled(TimeSpan RetryAfter) : LoginResult;

    /// <summary>The password is right and MFA is on: no session yet, only a challenge to present with a code.</summary>
    public sealed record MfaRequired(Mfa.MfaChallenge Challenge) : LoginResult;
}

public abstract record RegisterResult
{
    /// <summary>Also the answer when the email already exists, so registration reveals no accounts.</summary>
    public sealed record Accepted : RegisterResult;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : RegisterResult;
}

public abstract record PasswordChangeResult
{
    /// <summary>Changed; every other session of the account has ended (ASVS 7.4.3).</summary>
    public sealed record Changed : PasswordChangeResult;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : PasswordChangeResult;

    public sealed record WrongPassword : PasswordChangeResult;

    public sealed record Throttled(TimeSpan RetryAfter) : PasswordChangeResult;
}
