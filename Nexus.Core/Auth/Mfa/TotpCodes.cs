using System.Security.Cryptography;
using OtpNet;

namespace Nexus.Core.Auth.Mfa;

/// <summary>
/// TOTP as authenticator apps speak it (RFC 6238 over HMAC-SHA1, 6 digits, 30-second steps), through Otp.NET. A code
/// is accepted for the current step and one step either side (clock drift and typing time), and only for a step later
/// than the last one accepted for the same secret: a code, or an older one, never works twice (ASVS 6.5.1).
/// </summary>
public static class TotpCodes
{
    public const string Issuer = "Nexus Autoparts";
    public const int Digits = 6;
    public const int StepSeconds = 30;

    /// <summary>160 bits, the key size RFC 4226 recommends, from the CSPRNG (ASVS 6.5.3).</summary>
    public const int SecretBytes = 20;

    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    public static string Base32(byte[] secret) => Base32Encoding.ToString(secret);

    /// <summary><c>otpauth://totp/Nexus%20Autoparts:{email}?secret=…&amp;issuer=Nexus%20Autoparts</c> (the Key URI Format of authenticator apps).</summary>
    public static string Uri(byte[] secret, string email)
    {
        var issuer = System.Uri.EscapeDataString(Issuer);
        // '@' may stay as it is in a URI path, and apps show the account more readably that way.
        var account = System.Uri.EscapeDataString(email).Replace("%40", "@", StringComparison.Ordinal);
        return $"otpauth://totp/{issuer}:{account}?secret={Base32(secret)}&issuer={issuer}";
    }

    /// <summary>True for six ASCII digits, the only shape a TOTP code has here.</summary>
    public static bool LooksLikeCode(string? code) => code is { Length: Digits } && code.All(char.IsAsciiDigit);

    /// <summary>
    /// The time step the code belongs to when it is valid at <paramref name="now"/> (±1 step) and later than
    /// <paramref name="lastUsedStep"/>; null otherwise.
    /// </summary>
    public static long? MatchStep(byte[] secret, string code, DateTimeOffset now, long? lastUsedStep)
    {
        if (!LooksLikeCode(code))
        {
            return null;
        }
        var totp = new Totp(secret, StepSeconds, OtpHashMode.Sha1, Digits);
        if (!totp.VerifyTotp(now.UtcDateTime, code, out var step, Window))
        {
            return null;
        }
        return lastUsedStep is { } last && step <= last ? null : step;
    }

    /// <summary>The code of a moment (for tests and tools; the app itself only verifies).</summary>
    public static string CodeAt(byte[] secret, DateTimeOffset at) =>
        new Totp(secret, StepSeconds, OtpHashMode.Sha1, Digits).ComputeTotp(at.UtcDateTime);
}
