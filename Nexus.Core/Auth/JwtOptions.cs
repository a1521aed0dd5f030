using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Auth;

public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>HS256 key; at least 32 bytes. Comes from the environment or Key Vault, never from the repo.</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";

    [Required]
    public string Issuer { get; set; } = "nexus";

    [Required]
    public string Audience { get; set; } = "nexus-api";

    [Range(1, 60)]
    public int AccessTokenMinutes { get; set; } = 15;

    /// <summary>Absolute lifetime of a session family: rotation never extends it.</summary>
    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 30;

    /// <summary>A session whose refresh token was not used for this long is over (ASVS 7.3.1): the user logs in again.</summary>
    [Range(1, 365)]
    public int SessionIdleDays { get; set; } = 7;
}
