namespace Nexus.Core.Auth;

/// <summary>The client a refresh token was issued to, as the request showed it (User-Agent, remote address).</summary>
public sealed record SessionClient(string? UserAgent, string? Address)
{
    public const int MaxUserAgentLength = 300;
    public const int MaxAddressLength = 64;

    /// <summary>Trimmed and cut to the column's size; blank is null.</summary>
    public static string? Clip(string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var trimmed = value.Trim();
        if (trimmed.Length <= max)
        {
            return trimmed;
        }
        // Never cut a surrogate pair in half: the database connection refuses invalid UTF-16.
        return trimmed[..(char.IsHighSurrogate(trimmed[max - 1]) ? max - 1 : max)];
    }
}

/// <summary>A live session family of a user, as its owner sees it in the session list (ASVS 7.5.2).</summary>
public sealed record ActiveSession(
    Guid Id,
    DateTime CreatedAt,
    DateTime LastUsedAt,
    DateTime ExpiresAt,
    string? UserAgent,
    string? ClientAddress,
    bool Current);
