using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>Users see their own live sessions and end any of them at once (ASVS 7.5.2, 10.4.9).</summary>
public sealed class SessionListTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    /// <summary>One client (browser, app) that logged in over HTTP sending its own User-Agent.</summary>
    private sealed record Device(HttpClient Anonymous, string UserAgent, string AccessToken, string RefreshToken) : IDisposable
    {
        public void Dispose() => Anonymous.Dispose();
    }

    private HttpClient Authenticated(Device device)
    {
        var client = _app.CreateClient().WithBearer(device.AccessToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(device.UserAgent);
        return client;
    }

    private async Task<Device> LogInAsync(string email, string userAgent)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        var response = await client.LoginAsync(email, TestUsers.Password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await response.JsonAsync();
        return new Device(client, userAgent, tokens["access_token"]!.GetValue<string>(), tokens["refresh_token"]!.GetValue<string>());
    }

    private static async Task<JsonArray> SessionsAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/auth/sessions");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync())["items"]!.AsArray();
    }

    private static string Id(JsonNode? session) => session!["id"]!.GetValue<string>();

    [Fact]
    public async Task A_user_sees_each_login_with_its_client_and_ends_another_one_whose_tokens_stop_at_once()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var laptop = await LogInAsync(user.Email, "Laptop-Browser/1.0");
        using var phone = await LogInAsync(user.Email, "Phone-App/2.0");
        using var asLaptop = Authenticated(laptop);
        using var asPhone = Authenticated(phone);

        // The phone refreshes once: still one session, now last used later than it was created.
        var rotated = await (await phone.Anonymous.RefreshAsync(phone.RefreshToken)).JsonAsync();
        var phoneRefresh = rotated["refresh_token"]!.GetValue<string>();

        var sessions = await SessionsAsync(asLaptop);
        // The test user's own session from CreateUserAsync, the laptop's and the phone's.
        Assert.Equal(3, sessions.Count);
        var current = sessions[0]!;
        Assert.True(current["current"]!.GetValue<bool>());
        Assert.Equal("Laptop-Browser/1.0", current["user_agent"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(current["client_address"]?.GetValue<string>()));
        Assert.Single(sessions, s => s!["current"]!.GetValue<bool>());
        var phoneSession = Assert.Single(sessions, s => s!["user_agent"]?.GetValue<string>() == "Phone-App/2.0")!;
        Assert.True(phoneSession["last_used_at"]!.GetValue<DateTime>() >= phoneSession["created_at"]!.GetValue<DateTime>());
        Assert.True(phoneSession["expires_at"]!.GetValue<DateTime>() > DateTime.UtcNow.AddDays(29));
        Assert.Equal(sessions.Count, sessions.Select(Id).Distinct().Count());

        var end = await asLaptop.DeleteAsync($"/api/auth/sessions/{Id(phoneSession)}");

        Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asPhone.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.Anonymous.RefreshAsync(phoneRefresh)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asLaptop.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laptop.Anonymous.RefreshAsync(laptop.RefreshToken)).StatusCode);
        var left = await SessionsAsync(asLaptop);
        Assert.Equal(2, left.Count);
        Assert.DoesNotContain(left, s => Id(s) == Id(phoneSession));

        await ProblemAssert.IsProblemAsync(await asLaptop.DeleteAsync($"/api/auth/sessions/{Id(phoneSession)}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Logged_out_sessions_are_not_listed_and_ending_the_current_one_is_a_logout()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var first = await LogInAsync(user.Email, "First/1.0");
        using var second = await LogInAsync(user.Email, "Second/1.0");
        using var asFirst = Authenticated(first);
        Assert.Equal(HttpStatusCode.NoContent, (await second.Anonymous.PostAsJsonAsync("/api/auth/logout", new { refresh_token = second.RefreshToken })).StatusCode);

        var sessions = await SessionsAsync(asFirst);
        Assert.DoesNotContain(sessions, s => s!["user_agent"]?.GetValue<string>() == "Second/1.0");
        var current = Assert.Single(sessions, s => s!["current"]!.GetValue<bool>())!;

        Assert.Equal(HttpStatusCode.NoContent, (await asFirst.DeleteAsync($"/api/auth/sessions/{Id(current)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asFirst.GetAsync("/api/auth/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.Anonymous.RefreshAsync(first.RefreshToken)).StatusCode);
        // The session CreateUserAsync opened for the user is untouched.
        using var original = _app.CreateClient().WithBearer(user.AccessToken);
        Assert.Single(await SessionsAsync(original));
    }

    [Fact]
    public async Task Nobody_sees_or_ends_another_users_session()
    {
        var owner = await _app.CreateUserAsync(Roles.Taller);
        var intruder = await _app.CreateUserAsync(Roles.Admin);
        using var asOwner = _app.CreateClient().WithBearer(owner.AccessToken);
        using var asIntruder = _app.CreateClient().WithBearer(intruder.AccessToken);
        var ownerSession = Id(Assert.Single(await SessionsAsync(asOwner)));

        var intruderSessions = await SessionsAsync(asIntruder);
        var attempt = await asIntruder.DeleteAsync($"/api/auth/sessions/{ownerSession}");

        Assert.DoesNotContain(intruderSessions, s => Id(s) == ownerSession);
        var problem = await ProblemAssert.IsProblemAsync(attempt, HttpStatusCode.NotFound);
        Assert.Equal("Session not found", problem["title"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await asOwner.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.CreateClient().RefreshAsync(owner.RefreshToken)).StatusCode);
    }
}
