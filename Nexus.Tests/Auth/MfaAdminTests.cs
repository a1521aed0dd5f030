using System.Net;
using Nexus.Core.Auth;
using Nexus.Functions.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>
/// <c>Auth:RequireMfaForAdmins</c>: staff accounts without MFA reach only the enrolment until they turn it on; and an admin
/// removes the authenticator of a user who lost it with the recovery codes (ASVS 6.4.4).
/// </summary>
public sealed class MfaAdminTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    [Fact]
    public async Task With_mfa_required_for_admins_an_admin_without_it_reaches_only_the_enrolment_until_it_turns_mfa_on()
    {
        await using var app = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:RequireMfaForAdmins"] = "true" });
        var admin = await app.CreateUserAsync(Roles.Admin);
        var owner = await app.CreateUserAsync(Roles.Owner);
        using var asAdmin = app.CreateClient().WithBearer(admin.AccessToken);
        using var asOwner = app.CreateClient().WithBearer(owner.AccessToken);

        foreach (var (client, path) in new[] { (asAdmin, "/api/admin/users"), (asAdmin, "/api/auth/sessions"), (asOwner, "/api/admin/users") })
        {
            var refused = await ProblemAssert.IsProblemAsync(await client.GetAsync(path), HttpStatusCode.Forbidden);
            Assert.Equal(MfaEnrolmentGate.ProblemTitle, refused["title"]!.GetValue<string>());
        }
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/auth/mfa")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/health")).StatusCode);
        // Other roles are not concerned.
        using (var asTaller = await app.CreateClientAsync(Roles.Taller))
        {
            Assert.Equal(HttpStatusCode.OK, (await asTaller.GetAsync("/api/auth/sessions")).StatusCode);
        }

        await asAdmin.EnrolAsync();

        // The same session reaches the admin routes at once; the owner is still held back.
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/admin/users")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/auth/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asOwner.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task An_admin_removes_a_lost_authenticator_and_the_user_signs_in_again_with_the_password_alone()
    {
        var app = fixture.App;
        var user = await app.CreateUserAsync(Roles.Taller);
        using var asUser = app.CreateClient().WithBearer(user.AccessToken);
        await asUser.EnrolAsync();
        var admin = await app.CreateUserAsync(Roles.Admin);
        using var asAdmin = app.CreateClient().WithBearer(admin.AccessToken);
        using var anonymous = app.CreateClient();
        await anonymous.ChallengeAsync(user.Email);

        var removed = await asAdmin.DeleteAsync($"/api/admin/users/{user.Id}/mfa");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(1, (await removed.JsonAsync())["sessions_ended"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await asUser.GetAsync("/api/auth/me")).StatusCode);
        var login = await (await anonymous.LoginAsync(user.Email, TestUsers.Password)).JsonAsync();
        Assert.False(string.IsNullOrEmpty(login["access_token"]?.GetValue<string>()), login.ToJsonString());
        // Nothing is left to remove; an admin turns off their own MFA on the account page (password and code), not here.
        await ProblemAssert.IsProblemAsync(await asAdmin.DeleteAsync($"/api/admin/users/{user.Id}/mfa"), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await asAdmin.DeleteAsync($"/api/admin/users/{admin.Id}/mfa"), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await asAdmin.DeleteAsync("/api/admin/users/999999/mfa"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task By_default_admins_without_mfa_reach_the_admin_routes()
    {
        using var asAdmin = await fixture.App.CreateClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await asAdmin.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Host_refuses_a_require_mfa_for_admins_that_is_not_true_or_false()
    {
        await using var misconfigured = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:RequireMfaForAdmins"] = "sometimes" });
        var error = Assert.ThrowsAny<Exception>(() => misconfigured.CreateClient());
        Assert.Contains("RequireMfaForAdmins", error.ToString());
    }
}
