using System.Net;
using Dapper;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>
/// The pre-hashed bcrypt scheme (ASVS 6.2.8, 6.2.9, 11.4.2): new hashes carry its marker, plain bcrypt hashes written
/// before it still verify and are replaced by the new scheme at the next successful login.
/// </summary>
public sealed class PasswordHashingTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    private static readonly PasswordHasher Hasher = new(Options.Create(new AuthOptions()));

    [Fact]
    public void New_hashes_are_bcrypt_cost_12_over_the_pre_hash_and_tell_passwords_apart_beyond_72_bytes()
    {
        var password = new string('é', 64);
        var hash = PasswordHasher.Hash(password, PasswordHasher.MinimumWorkFactor);

        Assert.StartsWith(PasswordHasher.PreHashedPrefix + "$2a$12$", hash);
        Assert.Equal(12, PasswordHasher.WorkFactorOf(hash));
        Assert.False(Hasher.NeedsRehash(hash));
        Assert.True(Hasher.Verify(password, hash));
        Assert.False(Hasher.Verify(new string('é', 63) + "e", hash));
        Assert.False(Hasher.Verify(new string('é', 36), hash));
        Assert.False(Hasher.Verify("", hash));
        Assert.False(Hasher.Verify(password, null));
        // The bcrypt part alone is not a hash of the password: without the pre-hash nothing matches.
        Assert.False(BCrypt.Net.BCrypt.Verify(password, hash[PasswordHasher.PreHashedPrefix.Length..]));
    }

    [Fact]
    public void Plain_bcrypt_hashes_still_verify_but_ask_to_be_rehashed()
    {
        var legacy = BCrypt.Net.BCrypt.HashPassword(TestUsers.Password, 12);

        Assert.Equal(12, PasswordHasher.WorkFactorOf(legacy));
        Assert.True(Hasher.NeedsRehash(legacy));
        Assert.True(Hasher.Verify(TestUsers.Password, legacy));
        Assert.False(Hasher.Verify(TestUsers.Password + "x", legacy));
        // bcrypt ignores bytes after 72: a longer candidate sharing the first 72 must still fail against a plain hash.
        var ascii72 = new string('a', 72);
        Assert.False(Hasher.Verify(ascii72 + "b", BCrypt.Net.BCrypt.HashPassword(ascii72, 12)));
    }

    [Fact]
    public async Task A_plain_bcrypt_hash_is_upgraded_to_the_pre_hashed_scheme_at_the_next_successful_login()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        var legacy = BCrypt.Net.BCrypt.HashPassword(TestUsers.Password, 12);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE users SET pass = @legacy WHERE id_user = @Id", new { legacy, user.Id });
        using var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Email, TestUsers.Password + "x")).StatusCode);
        Assert.Equal(legacy, await connection.QuerySingleAsync<string>("SELECT pass FROM users WHERE id_user = @Id", new { user.Id }));

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        var upgraded = await connection.QuerySingleAsync<string>("SELECT pass FROM users WHERE id_user = @Id", new { user.Id });
        Assert.StartsWith(PasswordHasher.PreHashedPrefix + "$2a$12$", upgraded);
        Assert.True(Hasher.Verify(TestUsers.Password, upgraded));

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(upgraded, await connection.QuerySingleAsync<string>("SELECT pass FROM users WHERE id_user = @Id", new { user.Id }));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Email, TestUsers.Password + "x")).StatusCode);
    }
}
