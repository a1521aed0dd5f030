using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>ASVS 6.2.2/6.2.3/7.4.3: a signed-in user changes the password with the current one; the other sessions end.</summary>
public sealed class PasswordChangeTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private const string NewPassword = "otra-clave-más-larga";

    private readonly NexusApp _app = fixture.App;

    [Fact]
    public async Task The_new_password_works_the_old_does_not_and_only_the_calling_session_survives()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        var auth = _app.Services.GetRequiredService<AuthService>();
        var otherDevice = await auth.StartSessionAsync((await auth.GetProfileAsync(user.Id, CancellationToken.None))!, CancellationToken.None);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);

        var response = await client.PostAsJsonAsync("/api/auth/password", new { current_password = TestUsers.Password, new_password = NewPassword }, AuthApi.Json);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.RefreshAsync(user.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(otherDevice.RefreshToken)).StatusCode);
        using var other = _app.CreateClient().WithBearer(otherDevice.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/auth/me")).StatusCode);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        var hash = await connection.QuerySingleAsync<string>("SELECT pass FROM users WHERE id_user = @Id", new { user.Id });
        Assert.True(PasswordHasher.WorkFactorOf(hash) >= PasswordHasher.MinimumWorkFactor);
    }

    [Fact]
    public async Task A_wrong_current_password_or_a_weak_new_one_changes_nothing()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);

        var wrong = await client.PostAsJsonAsync("/api/auth/password", new { current_password = "not-the-password", new_password = NewPassword }, AuthApi.Json);
        var weak = await client.PostAsJsonAsync("/api/auth/password", new { current_password = TestUsers.Password, new_password = "corta" }, AuthApi.Json);
        var missing = await client.PostAsJsonAsync("/api/auth/password", new { new_password = NewPassword }, AuthApi.Json);

        Assert.Contains("wrong", (await ProblemAssert.IsValidationProblemAsync(wrong, "current_password"))["errors"]!["current_password"]![0]!.GetValue<string>());
        Assert.Contains("at least 10", (await ProblemAssert.IsValidationProblemAsync(weak, "new_password"))["errors"]!["new_password"]![0]!.GetValue<string>());
        await ProblemAssert.IsValidationProblemAsync(missing, "current_password");
        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient().PostAsJsonAsync("/api/auth/password",
            new { current_password = TestUsers.Password, new_password = NewPassword }, AuthApi.Json)).StatusCode);
    }

    [Fact]
    public async Task Guessing_the_current_password_is_throttled_like_a_login()
    {
        await using var app = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:MaxFailuresPerAccount"] = "2" });
        var user = await app.CreateUserAsync(Roles.Taller);
        using var client = app.CreateClient().WithBearer(user.AccessToken);

        for (var i = 0; i < 2; i++)
        {
            await ProblemAssert.IsValidationProblemAsync(
                await client.PostAsJsonAsync("/api/auth/password", new { current_password = $"guess-{i}-password", new_password = NewPassword }, AuthApi.Json),
                "current_password");
        }
        var throttled = await client.PostAsJsonAsync("/api/auth/password", new { current_password = TestUsers.Password, new_password = NewPassword }, AuthApi.Json);

        await ProblemAssert.IsProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        Assert.True(throttled.Headers.Contains("Retry-After"));
    }
}
