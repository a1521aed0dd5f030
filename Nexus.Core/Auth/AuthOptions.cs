using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Auth;

public sealed class AuthOptions : IValidatableObject
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

    /// <summary>
    /// Password resets (<c>POST /api/auth/password-reset</c>, public) accepted per client address and hour, whatever their
    /// outcome: guessing a 256-bit token is hopeless anyway, but each attempt costs a query and a good one a bcrypt hash and a
    /// breached-password lookup.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxPasswordResetsPerAddressPerHour { get; set; } = 20;

    /// <summary>Minutes a password reset link started by an admin stays valid (ASVS 6.4.3); it works once.</summary>
    [Range(5, 24 * 60)]
    public int PasswordResetMinutes { get; set; } = 60;

    /// <summary>
    /// Base URL of a Pwned Passwords k-anonymity range API (<c>{url}/range/{first 5 hex of SHA-1}</c>) that new passwords
    /// are checked against (ASVS 6.2.12), e.g. <c>https://api.pwnedpasswords.com</c>; empty: no check.
    /// </summary>
    public string? BreachedPasswordsApi { get; set; }

    /// <summary>How long the breached-password check may take; beyond it the password is let through (fail open).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan BreachedPasswordsTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The range API's base address (ending in <c>/</c>), or null when the check is off. Valid once the options are validated.</summary>
    public Uri? BreachedPasswordsBase() =>
        string.IsNullOrWhiteSpace(BreachedPasswordsApi) ? null : new Uri(BreachedPasswordsApi.Trim().TrimEnd('/') + "/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(BreachedPasswordsApi))
        {
            yield break;
        }
        if (!Uri.TryCreate(BreachedPasswordsApi.Trim(), UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            // Plain http only to this machine (a local mirror, the tests): a password's hash prefix never crosses a network in clear.
            yield return new ValidationResult(
                $"{nameof(BreachedPasswordsApi)} must be an absolute https URL (http only to a loopback address) without query or fragment, or empty to turn the check off.",
                [nameof(BreachedPasswordsApi)]);
        }
    }
}
