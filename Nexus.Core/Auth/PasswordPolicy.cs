using System.Text;

namespace Nexus.Core.Auth;

/// <summary>ASVS 6.2.1/6.2.9 lengths, and bcrypt's 72-byte input limit enforced instead of silently truncated.</summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    /// <summary>bcrypt ignores everything after 72 bytes; longer passwords are refused, never cut.</summary>
    public const int MaxUtf8Bytes = 72;

    /// <summary>The reason the password is refused, or null when it is acceptable. Lengths count Unicode code points.</summary>
    public static string? Problem(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "Password is required.";
        }
        var characters = password.EnumerateRunes().Count();
        if (characters < MinLength)
        {
            return $"Password must be at least {MinLength} characters.";
        }
        if (characters > MaxLength)
        {
            return $"Password must be at most {MaxLength} characters.";
        }
        if (!FitsBcrypt(password))
        {
            return $"Password must be at most {MaxUtf8Bytes} bytes in UTF-8 (accented letters and symbols take 2 to 4 bytes each); it is never truncated.";
        }
        return null;
    }

    public static bool FitsBcrypt(string password) => Encoding.UTF8.GetByteCount(password) <= MaxUtf8Bytes;
}
