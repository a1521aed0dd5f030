using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Nexus.Core.Auth.Mfa;

/// <summary>
/// Keeps TOTP secrets out of the database in plain text: AES-256-GCM with a key derived by HKDF-SHA256 from
/// <c>Jwt:SigningKey</c> (the app's one configured secret; its own HKDF label keeps the two uses apart), the user id as
/// associated data so a row copied to another user does not decrypt. Stored as nonce (12) | tag (16) | ciphertext.
/// Changing the signing key makes the stored secrets unreadable: those users then sign in with a recovery code and enrol again.
/// </summary>
public sealed class MfaSecretProtector(IOptions<JwtOptions> jwt, ILogger<MfaSecretProtector> logger)
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] Label = "nexus/mfa-totp-secret/v1"u8.ToArray();

    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(jwt.Value.SigningKey), 32, salt: [], info: Label);

    public byte[] Protect(int userId, byte[] secret)
    {
        var stored = new byte[NonceBytes + TagBytes + secret.Length];
        var nonce = stored.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, secret, stored.AsSpan(NonceBytes + TagBytes), stored.AsSpan(NonceBytes, TagBytes), AssociatedData(userId));
        return stored;
    }

    /// <summary>The secret, or null when the row was not written with this key for this user.</summary>
    public byte[]? Unprotect(int userId, byte[] stored)
    {
        if (stored.Length <= NonceBytes + TagBytes)
        {
            return null;
        }
        var secret = new byte[stored.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        try
        {
            aes.Decrypt(stored.AsSpan(0, NonceBytes), stored.AsSpan(NonceBytes + TagBytes), stored.AsSpan(NonceBytes, TagBytes), secret, AssociatedData(userId));
            return secret;
        }
        catch (AuthenticationTagMismatchException)
        {
            logger.LogError("The stored TOTP secret of user {UserId} does not decrypt with the current key (was Jwt:SigningKey changed?); "
                + "its codes are refused until the user turns MFA off with a recovery code and enrols again", userId);
            return null;
        }
    }

    private static byte[] AssociatedData(int userId)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(data, userId);
        return data;
    }
}
