using System.Security.Cryptography;
using System.Text;

namespace Nexus.Core.Auth;

/// <summary>Opaque refresh tokens: 256 random bits, base64url; the database keeps only their SHA-256.</summary>
public static class RefreshTokens
{
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
