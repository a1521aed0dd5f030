namespace Nexus.Core.Auth;

public abstract record LoginResult
{
    public sealed record Success(AuthSession Session) : LoginResult;

    /// <summary>Unknown email, wrong password, pending or deactivated account: deliberately one answer.</summary>
    public sealed record InvalidCredentials : LoginResult;

    public sealed record Throttled(TimeSpan RetryAfter) : LoginResult;
}

public abstract record RegisterResult
{
    /// <summary>Also the answer when the email already exists, so registration reveals no accounts.</summary>
    public sealed record Accepted : RegisterResult;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : RegisterResult;
}
