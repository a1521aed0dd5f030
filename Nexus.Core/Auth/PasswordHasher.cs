using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Nexus.Core.Auth;

/// <summary>
/// Password hashes. New ones are bcrypt ($2a$, the configured cost, at least 12) over the base64 of an HMAC-SHA384 of the
/// password's UTF-8 bytes, stored behind <see cref="PreHashedPrefix"/>: bcrypt reads only 72 bytes, the pre-hash is always
/// 64 ASCII characters, so every byte of a password up to <see cref="PasswordPolicy.MaxUtf8Bytes"/> counts and nothing is
/// ever truncated (ASVS 6.2.8, 6.2.9). Hashes without the prefix are plain bcrypt over the password (stored before the
/// pre-hash existed, when passwords were limited to 72 bytes): they still verify, and <see cref="NeedsRehash"/> asks for
/// them to be replaced at the next successful login.
/// </summary>
public sealed class PasswordHasher
{
    public const int MinimumWorkFactor = 12;

    /// <summary>Scheme marker of bcrypt over the HMAC-SHA384 pre-hash; what follows is a standard bcrypt hash.</summary>
    public const string PreHashedPrefix = "bcrypt-hmac-sha384$";

    /// <summary>bcrypt's input limit: a plain bcrypt hash can only ever match a password of at most this many bytes.</summary>
    public const int BcryptMaxBytes = 72;

    /// <summary>
    /// The HMAC key. Not a secret (a pepper would need key management, and losing it would lose every password): it
    /// separates this pre-hash from a bare SHA-384, so unsalted SHA-384 hashes leaked elsewhere cannot be fed to our bcrypt.
    /// </summary>
    private static readonly byte[] PreHashKey = "Nexus.Core.Auth.PasswordHasher/bcrypt-prehash/v1"u8.ToArray();

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
        if (!PasswordPolicy.FitsLimit(password))
        {
            throw new ArgumentException($"Password exceeds {PasswordPolicy.MaxUtf8Bytes} UTF-8 bytes.", nameof(password));
        }
        return PreHashedPrefix + BCrypt.Net.BCrypt.HashPassword(PreHash(password), workFactor);
    }

    /// <summary>Checks a password; a null hash (unknown account) still pays for one bcrypt verification.</summary>
    public bool Verify(string password, string? hash)
    {
        if (hash is null)
        {
            BCrypt.Net.BCrypt.Verify(PreHash(""), _dummyHash[PreHashedPrefix.Length..]);
            return false;
        }
        if (IsPreHashed(hash))
        {
            // Anything over the limit can never be a stored password; it is still verified so the time spent is the same.
            var matches = BCrypt.Net.BCrypt.Verify(PreHash(password), hash[PreHashedPrefix.Length..]);
            return matches && PasswordPolicy.FitsLimit(password);
        }
        // A plain bcrypt hash: bcrypt would ignore everything after byte 72, so a longer candidate is compared as a
        // stand-in that cannot match instead (such a password was never accepted when plain hashes were written).
        var fits = Encoding.UTF8.GetByteCount(password) <= BcryptMaxBytes;
        var plainMatches = BCrypt.Net.BCrypt.Verify(fits ? password : "", hash);
        return plainMatches && fits && password.Length > 0;
    }

    /// <summary>True for a plain bcrypt hash (the old scheme) and for a cost below the configured one.</summary>
    public bool NeedsRehash(string hash) => !IsPreHashed(hash) || WorkFactorOf(hash) < _workFactor;

    public static bool IsPreHashed(string hash) => hash.StartsWith(PreHashedPrefix, StringComparison.Ordinal);

    /// <summary>The bcrypt cost stored in a hash of either scheme ("$2a$12$..." → 12).</summary>
    public static int WorkFactorOf(string hash) =>
        int.Parse((IsPreHashed(hash) ? hash.AsSpan(PreHashedPrefix.Length) : hash.AsSpan()).Slice(4, 2));

    /// <summary>base64(HMAC-SHA384(password as UTF-8)): 64 ASCII characters without NULs, within bcrypt's 72 bytes.</summary>
    private static string PreHash(string password) =>
        Convert.ToBase64String(HMACSHA384.HashData(PreHashKey, Encoding.UTF8.GetBytes(password)));
}
