namespace Nexus.Core.Auth;

public static class EmailAddress
{
    public const int MaxLength = 200;

    /// <summary>A deliberately plain check (one @, a dotted domain, no spaces); delivery is the real proof.</summary>
    public static string? Problem(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return "Email is required.";
        }
        var value = email.Trim();
        if (value.Length > MaxLength)
        {
            return $"Email must be at most {MaxLength} characters.";
        }
        var at = value.IndexOf('@');
        var valid = at > 0
            && at == value.LastIndexOf('@')
            && !value.Any(char.IsWhiteSpace)
            && value[(at + 1)..] is { Length: >= 3 } domain
            && domain.Contains('.')
            && !domain.StartsWith('.')
            && !domain.EndsWith('.');
        return valid ? null : "Email is not a valid address.";
    }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
