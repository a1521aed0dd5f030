using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>bcrypt cost; ASVS asks for at least 12. Raising it rehashes each password at its next login.</summary>
    [Range(12, 20)]
    public int BcryptWorkFactor { get; set; } = PasswordHasher.MinimumWorkFactor;

    /// <summary>Failed logins allowed per account within the window before 429 (ASVS 6.3.1: well under 100/hour).</summary>
    [Range(1, 100)]
    public int MaxFailuresPerAccount { get; set; } = 10;

    /// <summary>Failed logins allowed per client address within the window before 429.</summary>
    [Range(1, 10_000)]
    public int MaxFailuresPerAddress { get; set; } = 30;

    [Range(1, 24 * 60)]
    public int FailureWindowMinutes { get; set; } = 15;

    /// <summary>Registrations accepted per client address and hour; each costs a bcrypt hash, so they are a cheap way to load the CPU.</summary>
    [Range(1, 10_000)]
    public int MaxRegistrationsPerAddressPerHour { get; set; } = 20;

    /// <summary>Minutes a password reset link started by an admin stays valid (ASVS 6.4.3); it works once.</summary>
    [Range(5, 24 * 60)]
    public int PasswordResetMinutes { get; set; } = 60;
}
