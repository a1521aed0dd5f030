using System.Security.Cryptography;
using System.Text;

namespace Nexus.Core.Auth.Mfa;

/// <summary>
/// One-time recovery codes for a lost authenticator: 24 characters of a 32-letter alphabet without look-alikes
/// (120 random bits, so a plain SHA-256 is an adequate store, ASVS 6.5.2), shown in groups of four. Typed back in any
/// case, with or without the dashes or spaces.
/// </summary>
public static class RecoveryCodes
{
    public const int Count = 10;
    public const int Length = 24;
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static IReadOnlyList<string> New() => Enumerable.Range(0, Count).Select(_ => NewCode()).ToList();

    /// <summary>SHA-256 hex of the normalised code; null when the text cannot be a recovery code.</summary>
    public static string? HashOf(string? typed)
    {
        if (typed is null || typed.Length > 2 * Length)
        {
            return null;
        }
        var code = new string(typed.Where(c => c is not ('-' or ' ')).Select(char.ToLowerInvariant).ToArray());
        if (code.Length != Length || !code.All(c => Alphabet.Contains(c, StringComparison.Ordinal)))
        {
            return null;
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code)));
    }

    private static string NewCode()
    {
        var characters = RandomNumberGenerator.GetItems(Alphabet.AsSpan(), Length);
        return string.Join('-', Enumerable.Range(0, Length / 4).Select(i => new string(characters, i * 4, 4)));
    }
}
