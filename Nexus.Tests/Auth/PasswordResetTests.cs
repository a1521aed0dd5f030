using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>
/// Password reset started by an admin (ASVS 6.4.3, 6.4.6): the admin gets a one-time link, never a say in the password;
/// the user chooses it with the link, which then works no more, and every session of the account ends.
/// </summary>
public sealed class PasswordResetTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    /// <summary>64 accented letters: 128 UTF-8 bytes (ASVS 6.2.9).</summary>
    private static readonly string NewPassword = new string('ñ', 32) + new string('á', 32);

    [Fact]
    public async Task An_admin_link_lets_the_user_choose_a_new_password_once_and_ends_every_session()
    {
        var admin = await _app.CreateUserAsync(Roles.Admin);
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var adminClient = _app.CreateClient().WithBearer(admin.AccessToken);
        using var anonymous = _app.CreateClient();
        var before = DateTimeOffset.UtcNow;

        var started = await adminClient.PostAsync($"/api/admin/users/{user.Id}/password-reset", null);

        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        Assert.Equal("no-store", started.Headers.CacheControl?.ToString());
        var link = await started.JsonAsync();
        var token = link["token"]!.GetValue<string>();
        Assert.Equal(user.Id, link["user_id"]!.GetValue<int>());
        Assert.True(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=").Length >= 16);
        Assert.Equal($"/restablecer.html#token={token}", link["reset_path"]!.GetValue<string>());
        var expiresAt = link["expires_at"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expiresAt, before.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            var row = await connection.QuerySingleAsync<(string TokenHash, int? CreatedBy)>(
                "SELECT token_hash, created_by FROM password_resets WHERE user_id = @Id", new { user.Id });
            Assert.Equal(RefreshTokens.HashOf(token), row.TokenHash);
            Assert.Equal(admin.Id, row.CreatedBy);
        }

        // Until the user uses the link nothing changes: the old password and the sessions go on.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        using var userClient = _app.CreateClient().WithBearer(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await userClient.GetAsync("/api/auth/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(anonymous, token, NewPassword)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await userClient.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(user.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, NewPassword)).StatusCode);

        // Single use: the same link again changes nothing.
        await IsInvalidLinkAsync(await ResetAsync(anonymous, token, "otra-clave-muy-larga-2026"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.LoginAsync(user.Email, "otra-clave-muy-larga-2026")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, NewPassword)).StatusCode);
    }

    [Fact]
    public async Task Expired_superseded_used_and_unknown_links_get_one_identical_answer_and_change_nothing()
    {
        using var adminClient = await _app.CreateClientAsync(Roles.Owner);
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var anonymous = _app.CreateClient();
        var superseded = await StartAsync(adminClient, user.Id);
        var expired = await StartAsync(adminClient, user.Id);
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE token_hash = @hash",
                new { hash = RefreshTokens.HashOf(expired) });
        }
        var other = await _app.CreateUserAsync(Roles.Bodega);
        var used = await StartAsync(adminClient, other.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(anonymous, used, NewPassword)).StatusCode);

        var answers = new[]
        {
            await ResetAsync(anonymous, superseded, "clave-nueva-del-usuario-1"),
            await ResetAsync(anonymous, expired, "clave-nueva-del-usuario-2"),
            await ResetAsync(anonymous, used, "clave-nueva-del-usuario-3"),
            await ResetAsync(anonymous, RefreshTokens.New(), "clave-nueva-del-usuario-4"),
        };

        foreach (var answer in answers)
        {
            await IsInvalidLinkAsync(answer);
        }
        var bodies = await Task.WhenAll(answers.Select(a => a.ProblemWithoutTraceIdAsync()));
        Assert.True(bodies.Distinct().Count() == 1, string.Join("\n", bodies));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(other.Email, NewPassword)).StatusCode);
        await ProblemAssert.IsValidationProblemAsync(await ResetAsync(anonymous, "", NewPassword), "token");
    }

    [Fact]
    public async Task Starting_a_new_reset_ends_the_earlier_link_and_only_the_latest_works()
    {
        using var adminClient = await _app.CreateClientAsync(Roles.Admin);
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var anonymous = _app.CreateClient();
        var first = await StartAsync(adminClient, user.Id);
        var second = await StartAsync(adminClient, user.Id);

        await IsInvalidLinkAsync(await ResetAsync(anonymous, first, NewPassword));
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(anonymous, second, NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, NewPassword)).StatusCode);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        var open = await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM password_resets WHERE user_id = @Id AND used_at IS NULL AND revoked_at IS NULL", new { user.Id });
        Assert.Equal(0, open);
    }

    [Fact]
    public async Task The_password_policy_applies_and_a_refused_password_leaves_the_link_usable()
    {
        using var adminClient = await _app.CreateClientAsync(Roles.Admin);
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var anonymous = _app.CreateClient();
        var token = await StartAsync(adminClient, user.Id);
        var localPart = user.Email[..user.Email.IndexOf('@')];

        var problems = new[]
        {
            await ResetAsync(anonymous, token, "corta"),
            await ResetAsync(anonymous, token, new string('a', 129)),
            await ResetAsync(anonymous, token, "mi-clave-nexus-2026"),
            await ResetAsync(anonymous, token, $"x{localPart}x"),
            await ResetAsync(anonymous, token, null),
        };

        foreach (var problem in problems)
        {
            await ProblemAssert.IsValidationProblemAsync(problem, "new_password");
        }
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(anonymous, token, NewPassword)).StatusCode);
    }

    [Fact]
    public async Task Only_admins_and_owners_start_resets_and_an_unknown_user_is_404()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var taller = await _app.CreateClientAsync(Roles.Taller);
        using var bodega = await _app.CreateClientAsync(Roles.Bodega);
        using var owner = await _app.CreateClientAsync(Roles.Owner);

        await ProblemAssert.IsProblemAsync(await _app.CreateClient().PostAsync($"/api/admin/users/{user.Id}/password-reset", null), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await taller.PostAsync($"/api/admin/users/{user.Id}/password-reset", null), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await bodega.PostAsync($"/api/admin/users/{user.Id}/password-reset", null), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await owner.PostAsync("/api/admin/users/999999999/password-reset", null), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/api/admin/users/{user.Id}/password-reset", null)).StatusCode);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM password_resets WHERE user_id = @Id", new { user.Id }));
    }

    [Fact]
    public async Task Password_resets_per_client_address_are_limited_with_429_and_retry_after()
    {
        await using var app = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:MaxPasswordResetsPerAddressPerHour"] = "2" },
            testServices: TestClientAddress.AddTo);
        using var adminClient = app.CreateClient().WithBearer((await app.CreateUserAsync(Roles.Admin)).AccessToken);
        var user = await app.CreateUserAsync(Roles.Taller);
        var token = await StartAsync(adminClient, user.Id);
        using var guesser = app.CreateClient().From("203.0.113.9");
        using var owner = app.CreateClient().From("198.51.100.7");

        await IsInvalidLinkAsync(await ResetAsync(guesser, RefreshTokens.New(), NewPassword));
        await IsInvalidLinkAsync(await ResetAsync(guesser, RefreshTokens.New(), NewPassword));
        // Beyond the limit even a good token waits; it is not spent.
        var limited = await ResetAsync(guesser, token, NewPassword);

        var problem = await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("Too many password reset attempts from this address", problem["detail"]!.GetValue<string>());
        Assert.InRange(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After"))), 1, 3600);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(owner, token, NewPassword)).StatusCode);
    }

    private static async Task<string> StartAsync(HttpClient admin, int userId)
    {
        var response = await admin.PostAsync($"/api/admin/users/{userId}/password-reset", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync())["token"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> ResetAsync(HttpClient client, string token, string? newPassword) =>
        client.PostAsJsonAsync("/api/auth/password-reset", new { token, new_password = newPassword }, AuthApi.Json);

    private static async Task IsInvalidLinkAsync(HttpResponseMessage response)
    {
        JsonObject body = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Invalid password reset link", body["title"]!.GetValue<string>());
        Assert.Contains("Enlace", body["title"]!.GetValue<string>());
        Assert.Null(body["errors"]);
    }
}
