using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>The web pages' refresh token lives in an HttpOnly cookie; API clients keep the JSON body.</summary>
public sealed class RefreshCookieTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    [Fact]
    public async Task A_web_login_sets_an_httponly_strict_cookie_on_the_auth_path_and_leaves_the_token_out_of_the_body()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = WebClient("http://127.0.0.1");

        var response = await client.LoginAsync(user.Email, TestUsers.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.False(body.ContainsKey("refresh_token"), body.ToJsonString());
        Assert.False(string.IsNullOrEmpty(body["access_token"]!.GetValue<string>()));
        var cookie = RefreshCookieOf(response);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteMode.Strict, cookie.SameSite);
        Assert.Equal("/api/auth", cookie.Path.Value);
        Assert.False(cookie.Secure, "plain http on loopback cannot carry a Secure cookie");
        Assert.True(cookie.MaxAge > TimeSpan.FromDays(1));
        Assert.False(string.IsNullOrEmpty(cookie.Value.Value));
    }

    [Theory]
    [InlineData("https://127.0.0.1")]
    [InlineData("http://nexus.example.mx")]
    public async Task The_cookie_is_secure_everywhere_but_plain_http_on_loopback(string origin)
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var client = WebClient(origin);

        var response = await client.LoginAsync(user.Email, TestUsers.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(RefreshCookieOf(response).Secure);
    }

    [Fact]
    public async Task Api_clients_get_the_token_in_the_body_and_no_cookie()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        var response = await client.LoginAsync(user.Email, TestUsers.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(HeaderNames.SetCookie));
        Assert.False(string.IsNullOrEmpty((await response.JsonAsync())["refresh_token"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Cookie_refresh_rotates_the_cookie_and_a_replayed_cookie_is_refused_and_cleared()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = WebClient("http://127.0.0.1");
        var first = RefreshCookieOf(await client.LoginAsync(user.Email, TestUsers.Password)).Value.Value!;

        var refreshed = await RefreshWithCookieAsync(client, first, webHeader: true);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var body = await refreshed.JsonAsync();
        Assert.False(body.ContainsKey("refresh_token"));
        Assert.Equal(user.Id, body["user"]!["user_id"]!.GetValue<int>());
        var second = RefreshCookieOf(refreshed).Value.Value!;
        Assert.NotEqual(first, second);
        using var authenticated = _app.CreateClient().WithBearer(body["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await authenticated.GetAsync("/api/auth/me")).StatusCode);

        var replay = await RefreshWithCookieAsync(client, first, webHeader: true);

        await ProblemAssert.IsProblemAsync(replay, HttpStatusCode.Unauthorized);
        Assert.True(RefreshCookieOf(replay).Expires < DateTimeOffset.UtcNow, "a refused cookie is deleted");
        // Reuse detection revoked the family, the rotated cookie included.
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshWithCookieAsync(client, second, webHeader: true)).StatusCode);
    }

    [Fact]
    public async Task The_cookie_is_ignored_without_the_web_client_header()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = WebClient("http://127.0.0.1");
        var token = RefreshCookieOf(await client.LoginAsync(user.Email, TestUsers.Password)).Value.Value!;

        var refused = await RefreshWithCookieAsync(client, token, webHeader: false);

        await ProblemAssert.IsValidationProblemAsync(refused, "refresh_token");
        Assert.Equal(HttpStatusCode.OK, (await RefreshWithCookieAsync(client, token, webHeader: true)).StatusCode);
    }

    [Fact]
    public async Task Logging_in_again_in_the_same_browser_ends_the_session_it_had()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = WebClient("http://127.0.0.1");
        var first = await client.LoginAsync(user.Email, TestUsers.Password);
        var firstToken = RefreshCookieOf(first).Value.Value!;
        var firstAccess = (await first.JsonAsync())["access_token"]!.GetValue<string>();

        using var again = CookieRequest(HttpMethod.Post, "/api/auth/login", firstToken, webHeader: true);
        again.Content = JsonContent.Create(new { email = user.Email, password = TestUsers.Password });
        var second = await client.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshWithCookieAsync(client, firstToken, webHeader: true)).StatusCode);
        using var old = _app.CreateClient().WithBearer(firstAccess);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await RefreshWithCookieAsync(client, RefreshCookieOf(second).Value.Value!, webHeader: true)).StatusCode);
    }

    [Fact]
    public async Task Cookie_logout_ends_the_session_and_clears_the_cookie()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var client = WebClient("http://127.0.0.1");
        var login = await client.LoginAsync(user.Email, TestUsers.Password);
        var token = RefreshCookieOf(login).Value.Value!;
        var access = (await login.JsonAsync())["access_token"]!.GetValue<string>();

        using var logout = CookieRequest(HttpMethod.Post, "/api/auth/logout", token, webHeader: true);
        var response = await client.SendAsync(logout);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(RefreshCookieOf(response).Expires < DateTimeOffset.UtcNow);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshWithCookieAsync(client, token, webHeader: true)).StatusCode);
        using var authenticated = _app.CreateClient().WithBearer(access);
        Assert.Equal(HttpStatusCode.Unauthorized, (await authenticated.GetAsync("/api/auth/me")).StatusCode);
    }

    /// <summary>A client that says it is the web pages; cookies are handled by hand so each test sees the exact headers.</summary>
    private HttpClient WebClient(string origin)
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri(origin) });
        client.DefaultRequestHeaders.Add("X-Nexus-Client", "web");
        return client;
    }

    private static Task<HttpResponseMessage> RefreshWithCookieAsync(HttpClient client, string token, bool webHeader)
    {
        var request = CookieRequest(HttpMethod.Post, "/api/auth/refresh", token, webHeader);
        return client.SendAsync(request);
    }

    private static HttpRequestMessage CookieRequest(HttpMethod method, string path, string token, bool webHeader)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(new { }) };
        request.Headers.Add(HeaderNames.Cookie, $"nexus_refresh={token}");
        if (!webHeader)
        {
            // The client's default header would otherwise mark it as web.
            request.Headers.TryAddWithoutValidation("X-Nexus-Client", "api");
        }
        return request;
    }

    private static SetCookieHeaderValue RefreshCookieOf(HttpResponseMessage response)
    {
        Assert.True(response.Headers.TryGetValues(HeaderNames.SetCookie, out var values), "no Set-Cookie header");
        var cookies = SetCookieHeaderValue.ParseList(values.ToList());
        return Assert.Single(cookies, c => c.Name.Value == "nexus_refresh");
    }
}
