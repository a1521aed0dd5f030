using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>Refresh-token rotation with reuse detection (ASVS 10.4.5) and logout (ASVS 7.4.1).</summary>
public sealed class SessionTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    [Fact]
    public async Task Each_refresh_spends_the_token_and_returns_a_new_working_pair()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient();

        var first = await (await client.RefreshAsync(user.RefreshToken)).JsonAsync();
        var second = await (await client.RefreshAsync(first["refresh_token"]!.GetValue<string>())).JsonAsync();

        var tokens = new[] { user.RefreshToken, first["refresh_token"]!.GetValue<string>(), second["refresh_token"]!.GetValue<string>() };
        Assert.Equal(3, tokens.Distinct().Count());
        Assert.Equal("Bearer", second["token_type"]!.GetValue<string>());
        Assert.Equal(user.Id, second["user"]!["user_id"]!.GetValue<int>());
        using var authenticated = _app.CreateClient().WithBearer(second["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await authenticated.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Reusing_a_spent_refresh_token_revokes_the_whole_family_including_the_newest_tokens()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        var otherSession = await _app.CreateUserAsync(Roles.Bodega);
        using var client = _app.CreateClient();
        var rotated = await (await client.RefreshAsync(user.RefreshToken)).JsonAsync();
        var newestRefresh = rotated["refresh_token"]!.GetValue<string>();
        var newestAccess = rotated["access_token"]!.GetValue<string>();

        var reuse = await client.RefreshAsync(user.RefreshToken);

        await ProblemAssert.IsProblemAsync(reuse, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(newestRefresh)).StatusCode);
        using var authenticated = _app.CreateClient().WithBearer(newestAccess);
        Assert.Equal(HttpStatusCode.Unauthorized, (await authenticated.GetAsync("/api/auth/me")).StatusCode);
        // Another user's family is untouched.
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(otherSession.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Expired_and_unknown_refresh_tokens_are_refused()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE refresh_token = @hash",
                new { hash = RefreshTokens.HashOf(user.RefreshToken) });
        }
        using var client = _app.CreateClient();

        await ProblemAssert.IsProblemAsync(await client.RefreshAsync(user.RefreshToken), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await client.RefreshAsync(RefreshTokens.New()), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsValidationProblemAsync(await client.RefreshAsync(""), "refresh_token");
    }

    [Fact]
    public async Task A_session_idle_beyond_the_idle_timeout_is_over_but_a_recent_one_goes_on()
    {
        var idle = await _app.CreateUserAsync(Roles.Taller);
        var recent = await _app.CreateUserAsync(Roles.Taller);
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            // Default Jwt:SessionIdleDays is 7: one token unused for a week and a second, one for six days.
            await connection.ExecuteAsync("UPDATE sessions SET created_at = now() - interval '7 days 1 second' WHERE refresh_token = @hash",
                new { hash = RefreshTokens.HashOf(idle.RefreshToken) });
            await connection.ExecuteAsync("UPDATE sessions SET created_at = now() - interval '6 days' WHERE refresh_token = @hash",
                new { hash = RefreshTokens.HashOf(recent.RefreshToken) });
        }
        using var client = _app.CreateClient();

        await ProblemAssert.IsProblemAsync(await client.RefreshAsync(idle.RefreshToken), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(idle.AccessToken));
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(recent.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Refresh_tokens_are_stored_only_as_their_sha256()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<string>("SELECT refresh_token FROM sessions WHERE user_id = @Id", new { user.Id });
        Assert.Equal(RefreshTokens.HashOf(user.RefreshToken), stored);
        Assert.NotEqual(user.RefreshToken, stored);
        Assert.True(Convert.FromBase64String(user.RefreshToken.Replace('-', '+').Replace('_', '/') + "=").Length >= 16);
    }

    [Fact]
    public async Task Logout_with_the_refresh_token_ends_that_session_and_its_access_token_only()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        var auth = _app.Services.GetRequiredService<AuthService>();
        var secondDevice = await auth.StartSessionAsync((await auth.GetProfileAsync(user.Id, CancellationToken.None))!, CancellationToken.None);
        using var client = _app.CreateClient();

        var logout = await client.PostAsync("/api/auth/logout", Json($$"""{"refresh_token":"{{user.RefreshToken}}"}"""));

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(user.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(user.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(secondDevice.AccessToken));
    }

    [Fact]
    public async Task Logout_with_only_the_access_token_ends_its_session()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/auth/logout", Json("{}"))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(user.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(user.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task A_public_catalog_read_sent_with_a_token_does_not_look_up_the_session()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // While this lock is held, any request that checks its session waits for it.
        await connection.ExecuteAsync("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE", transaction: transaction);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var search = await client.GetAsync("/api/parts/search?q=freno", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }

    private async Task<HttpStatusCode> MeAsync(string accessToken)
    {
        using var client = _app.CreateClient().WithBearer(accessToken);
        return (await client.GetAsync("/api/auth/me")).StatusCode;
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_api_client_logging_in_again_with_its_previous_refresh_token_ends_that_session_only()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        var someoneElse = await _app.CreateUserAsync(Roles.Taller);
        var auth = _app.Services.GetRequiredService<AuthService>();
        var otherDevice = await auth.StartSessionAsync((await auth.GetProfileAsync(user.Id, CancellationToken.None))!, CancellationToken.None);
        using var client = _app.CreateClient();

        var refused = await client.PostAsJsonAsync("/api/auth/login",
            new { email = user.Email, password = TestUsers.Password + "x", previous_refresh_token = user.RefreshToken }, AuthApi.Json);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var stillLive = _app.CreateClient().WithBearer(user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await stillLive.GetAsync("/api/auth/me")).StatusCode);
        }

        var again = await client.PostAsJsonAsync("/api/auth/login",
            new { email = user.Email, password = TestUsers.Password, previous_refresh_token = user.RefreshToken }, AuthApi.Json);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var pair = await again.JsonAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(user.RefreshToken)).StatusCode);
        using (var replaced = _app.CreateClient().WithBearer(user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await replaced.GetAsync("/api/auth/me")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(otherDevice.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(pair["refresh_token"]!.GetValue<string>())).StatusCode);

        // Another account's token is not this login's to end.
        var foreign = await client.PostAsJsonAsync("/api/auth/login",
            new { email = user.Email, password = TestUsers.Password, previous_refresh_token = someoneElse.RefreshToken }, AuthApi.Json);
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(someoneElse.RefreshToken)).StatusCode);
    }
}
