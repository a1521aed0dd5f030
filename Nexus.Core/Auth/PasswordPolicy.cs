using System.Globalization;
using System.Text;

namespace Nexus.Core.Auth;

/// <summary>
/// What a new password must be (registration, accounts created by an admin, password change, password reset): ASVS
/// 6.2.1/6.2.9 lengths (10 to 128 characters of any script; <see cref="PasswordHasher"/> pre-hashes, so nothing is ever
/// truncated), not one of the common passwords (6.2.4) and
/// free of the context words (6.1.2, 6.2.11): the app's name and the account's own email, name and business name.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    /// <summary>
    /// Upper bound of the UTF-8 form (128 characters of 4 bytes each), so that nobody posts megabytes to be hashed. bcrypt's
    /// own 72-byte limit no longer applies: the hasher feeds it a fixed-size pre-hash of the whole password.
    /// </summary>
    public const int MaxUtf8Bytes = 512;

    /// <summary>Words of the app itself that no password may contain (any case, accents, spaces or punctuation in between).</summary>
    public static readonly IReadOnlyList<string> AppWords = ["nexus", "autopartes", "autoparts"];

    /// <summary>Shorter pieces of an email, name or business name ("sa", "mx", "juan" is kept) are not banned.</summary>
    public const int MinContextWordLength = 4;

    /// <summary>
    /// The reason the password is refused, or null when it is acceptable. Lengths count Unicode code points.
    /// <paramref name="context"/> are the account's own email, name and business name (any may be null).
    /// </summary>
    public static string? Problem(string? password, params string?[] context)
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
        if (!FitsLimit(password))
        {
            return $"Password must be at most {MaxUtf8Bytes} bytes in UTF-8.";
        }
        if (CommonPasswords.Contains(password))
        {
            return "This password is one of the most common passwords and easy to guess; choose another.";
        }
        if (ContextWordIn(password, context) is { } word)
        {
            return $"Password must not contain \"{word}\": the name of the app or a part of your email, name or business name is easy to guess.";
        }
        return null;
    }

    public static bool FitsLimit(string password) => Encoding.UTF8.GetByteCount(password) <= MaxUtf8Bytes;

    /// <summary>The first banned word the password contains, compared as letters and digits only, lower case, without accents.</summary>
    public static string? ContextWordIn(string password, IEnumerable<string?> context)
    {
        var folded = Fold(password);
        return ContextWords(context).FirstOrDefault(word => folded.Contains(word, StringComparison.Ordinal));
    }

    /// <summary>
    /// The app's words, then of each context value (an email counts by its local part) the whole value and each of its
    /// words of at least <see cref="MinContextWordLength"/> letters or digits, folded like the password.
    /// </summary>
    public static IEnumerable<string> ContextWords(IEnumerable<string?> context)
    {
        var words = new List<string>(AppWords);
        foreach (var value in context)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }
            var text = value.LastIndexOf('@') is var at and > 0 ? value[..at] : value;
            var pieces = SplitWords(text).Select(Fold).Append(Fold(text));
            words.AddRange(pieces.Where(p => p.Length >= MinContextWordLength));
        }
        return words.Distinct();
    }

    private static IEnumerable<string> SplitWords(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    /// <summary>Lower case letters and digits only, accents removed: "Auto-Partés 2026" is "autopartes2026".</summary>
    private static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetterOrDigit(c))
            {
                folded.Append(char.ToLowerInvariant(c));
            }
        }
        return folded.ToString();
    }
}
