using System.Net;
using Nexus.Core.Auth;
using Nexus.Functions.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary><c>Auth:RequireMfaForAdmins</c>: staff accounts without MFA reach only the enrolment until they turn it on.</summary>
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
