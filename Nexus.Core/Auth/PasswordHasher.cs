using Microsoft.Extensions.Options;

namespace Nexus.Core.Auth;

/// <summary>bcrypt ($2b$) with the configured cost. Inputs over 72 UTF-8 bytes are refused, never truncated.</summary>
public sealed class PasswordHasher
{
    public const int MinimumWorkFactor = 12;

    private readonly int _workFactor;

    /// <summary>Verified when the account does not exist, so an unknown email costs as much as a wrong password.</summary>
    private readonly string _dummyHash;

    public PasswordHasher(IOptions<AuthOptions> options)
    {
        _workFactor = options.Value.BcryptWorkFactor;
        _dummyHash = Hash(Convert.ToBase64String(Guid.NewGuid().ToByteArray()), _workFactor);
    }

    public string Hash(string password) => Hash(password, _workFactor);

    public static string Hash(string password, int workFactor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workFactor, MinimumWorkFactor);
        if (!PasswordPolicy.FitsBcrypt(password))
        {
            throw new ArgumentException($"Password exceeds {PasswordPolicy.MaxUtf8Bytes} UTF-8 bytes.", nameof(password));
        }
        return BCrypt.Net.BCrypt.HashPassword(password, workFactor);
    }

    /// <summary>Checks a password; a null hash (unknown account) still pays for one bcrypt verification.</summary>
    public bool Verify(string password, string? hash)
    {
        // Anything over 72 bytes can never be a stored password; compare a stand-in so the time spent is the same.
        var candidate = PasswordPolicy.FitsBcrypt(password) ? password : "";
        var matches = BCrypt.Net.BCrypt.Verify(candidate, hash ?? _dummyHash);
        return matches && hash is not null && candidate.Length > 0;
    }

    public bool NeedsRehash(string hash) => WorkFactorOf(hash) < _workFactor;

    /// <summary>The cost stored in a bcrypt hash ("$2b$12$..." → 12).</summary>
    public static int WorkFactorOf(string hash) => int.Parse(hash.AsSpan(4, 2));
}
