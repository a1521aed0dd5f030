using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth;

namespace Nexus.Tests.Infrastructure;

/// <summary>A user created for a test; <see cref="Session"/> is null for inactive users (they cannot log in).</summary>
public sealed record TestUser(int Id, string Email, string Role, AuthSession? Session)
{
    public string AccessToken => Session?.AccessToken ?? throw new InvalidOperationException("Inactive test users have no session.");
    public string RefreshToken => Session?.RefreshToken ?? throw new InvalidOperationException("Inactive test users have no session.");
}

/// <summary>
/// Creates users straight in the database with one bcrypt hash computed once per test run (cost 12 takes ~250 ms),
/// and opens their sessions through the real AuthService, so tests get genuine tokens without paying for a login.
/// </summary>
public static class TestUsers
{
    /// <summary>The password of every test user.</summary>
    public const string Password = "correct-horse-battery";

    private static readonly Lazy<string> SharedHash = new(() => PasswordHasher.Hash(Password, PasswordHasher.MinimumWorkFactor));

    public static string PasswordHash => SharedHash.Value;

    public static async Task<TestUser> CreateUserAsync(this NexusApp app, string role, bool active = true, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.mx";
        var user = new NewUser(email, Password, $"Test {role}", role, BusinessName: $"{role} Test S.A.");
        await using var connection = await app.Database.DataSource.OpenConnectionAsync();
        var id = await UserAccounts.InsertAsync(connection, null, user, PasswordHash, active, CancellationToken.None)
            ?? throw new InvalidOperationException($"Test user {email} already exists.");
        if (!active)
        {
            return new TestUser(id, email, role, null);
        }
        var auth = app.Services.GetRequiredService<AuthService>();
        var profile = await auth.GetProfileAsync(id, CancellationToken.None) ?? throw new InvalidOperationException("Test user vanished.");
        return new TestUser(id, email, role, await auth.StartSessionAsync(profile, CancellationToken.None));
    }

    /// <summary>
    /// A fresh active user of a database served by hosts running as separate processes (no in-memory app to ask), and an
    /// access token of a session stored as AuthService stores one, signed with the key those hosts are given.
    /// </summary>
    public static async Task<(int UserId, string AccessToken)> CreateUserAsync(this TestDatabase database, string role)
    {
        var user = new NewUser($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.mx", Password, $"Test {role}", role, BusinessName: $"{role} Test S.A.");
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var id = await UserAccounts.InsertAsync(connection, null, user, PasswordHash, active: true, CancellationToken.None)
            ?? throw new InvalidOperationException($"Test user {user.Email} already exists.");
        var family = Guid.NewGuid();
        await Sessions.InsertAsync(connection, null, id, family, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        var issuer = new AccessTokenIssuer(Options.Create(new JwtOptions { SigningKey = TestEnvironment.JwtSigningKey }), TimeProvider.System);
        return (id, issuer.Issue(id, role, user.BusinessName, family).Token);
    }

    /// <summary>An HttpClient that sends a fresh active user's access token.</summary>
    public static async Task<HttpClient> CreateClientAsync(this NexusApp app, string role)
    {
        var user = await app.CreateUserAsync(role);
        return app.CreateClient().WithBearer(user.AccessToken);
    }

    public static HttpClient WithBearer(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
