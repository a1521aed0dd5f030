using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>bcrypt cost; ASVS asks for at least 12. Raising it rehashes each password at its next login.</summary>
    [Range(12, 20)]
    public int BcryptWorkFactor { get; set; } = PasswordHasher.MinimumWorkFactor;

    /// <summary>
    /// Failed logins allowed for one account from one client address within the window before that address gets 429 for
    /// that account (ASVS 6.3.1). This is the lock-out, and only the failing address is locked (6.1.1).
    /// </summary>
    [Range(1, 100)]
    public int MaxFailuresPerAccountAndAddress { get; set; } = 10;

    /// <summary>
    /// Failed logins allowed per account across all addresses within the window (against guessing spread over many
    /// addresses; 80 an hour by default, under ASVS 6.3.1's 100). Beyond it every address gets 429 for the account except
    /// those it logged in from within <see cref="KnownAddressDays"/>, so failing on purpose cannot lock the owner out.
    /// </summary>
    [Range(1, 100)]
    public int MaxFailuresPerAccount { get; set; } = 20;

    /// <summary>Days after a successful login during which its client address is let past the account-wide limit.</summary>
    [Range(1, 365)]
    public int KnownAddressDays { get; set; } = 30;

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
