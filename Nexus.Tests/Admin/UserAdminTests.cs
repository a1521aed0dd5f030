using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Admin;

public sealed class UserAdminTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    [Fact]
    public async Task Approving_a_registration_lets_the_account_log_in()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        var pending = await _app.CreateUserAsync(Roles.Bodega, active: false);

        var approve = await admin.PutAsJsonAsync($"/api/admin/users/{pending.Id}/activate", new { is_active = true });

        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.True((await approve.JsonAsync())["is_active"]!.GetValue<bool>());
        using var client = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(pending.Email, TestUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task Deactivation_ends_every_session_and_current_access_token_at_once()
    {
        using var owner = await _app.CreateClientAsync(Roles.Owner);
        var bodega = await _app.CreateUserAsync(Roles.Bodega);
        using var asBodega = _app.CreateClient().WithBearer(bodega.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await asBodega.GetAsync("/api/auth/me")).StatusCode);

        var deactivate = await owner.PutAsJsonAsync($"/api/admin/users/{bodega.Id}/activate", new { is_active = false });

        Assert.Equal(HttpStatusCode.OK, deactivate.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asBodega.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asBodega.RefreshAsync(bodega.RefreshToken)).StatusCode);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM sessions WHERE user_id = @Id AND revoked_at IS NULL", new { bodega.Id }));

        // Re-activation does not bring the ended sessions back.
        await owner.PutAsJsonAsync($"/api/admin/users/{bodega.Id}/activate", new { is_active = true });
        Assert.Equal(HttpStatusCode.Unauthorized, (await asBodega.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Ending_a_users_sessions_stops_its_tokens_at_once_and_leaves_the_account_active()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        var bodega = await _app.CreateUserAsync(Roles.Bodega);
        var bystander = await _app.CreateUserAsync(Roles.Bodega);
        using var anonymous = _app.CreateClient();
        var secondLogin = await (await anonymous.LoginAsync(bodega.Email, TestUsers.Password)).JsonAsync();
        using var asBodega = _app.CreateClient().WithBearer(bodega.AccessToken);
        using var asSecondLogin = _app.CreateClient().WithBearer(secondLogin["access_token"]!.GetValue<string>());

        var end = await admin.DeleteAsync($"/api/admin/users/{bodega.Id}/sessions");

        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Equal(2, (await end.JsonAsync())["sessions_ended"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await asBodega.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asSecondLogin.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(bodega.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(secondLogin["refresh_token"]!.GetValue<string>())).StatusCode);
        // Not a deactivation: the account is still active and its owner simply logs in again; other users go on.
        Assert.True((await (await admin.GetAsync($"/api/admin/users/{bodega.Id}")).JsonAsync())["is_active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(bodega.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.RefreshAsync(bystander.RefreshToken)).StatusCode);

        var again = await admin.DeleteAsync($"/api/admin/users/{bodega.Id}/sessions");
        Assert.Equal(1, (await again.JsonAsync())["sessions_ended"]!.GetValue<int>());
        var unknown = await ProblemAssert.IsProblemAsync(await admin.DeleteAsync("/api/admin/users/999999/sessions"), HttpStatusCode.NotFound);
        Assert.Equal("User not found", unknown["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ending_every_session_spares_only_the_callers_current_one()
    {
        var owner = await _app.CreateUserAsync(Roles.Owner);
        var taller = await _app.CreateUserAsync(Roles.Taller);
        var otherAdmin = await _app.CreateUserAsync(Roles.Admin);
        using var anonymous = _app.CreateClient();
        var ownersOtherLogin = await (await anonymous.LoginAsync(owner.Email, TestUsers.Password)).JsonAsync();
        using var asOwner = _app.CreateClient().WithBearer(owner.AccessToken);

        var end = await asOwner.DeleteAsync("/api/admin/sessions");

        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.True((await end.JsonAsync())["sessions_ended"]!.GetValue<int>() >= 3);
        Assert.Equal(HttpStatusCode.OK, (await asOwner.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.RefreshAsync(owner.RefreshToken)).StatusCode);
        foreach (var token in new[] { taller.AccessToken, otherAdmin.AccessToken, ownersOtherLogin["access_token"]!.GetValue<string>() })
        {
            using var client = _app.CreateClient().WithBearer(token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(taller.RefreshToken)).StatusCode);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(DISTINCT family_id) FROM sessions WHERE revoked_at IS NULL"));
    }

    [Fact]
    public async Task List_filters_by_role_and_status_pages_and_puts_pending_accounts_first()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        for (var i = 0; i < 3; i++)
        {
            await _app.CreateUserAsync(Roles.Taller, active: false);
            await _app.CreateUserAsync(Roles.Taller);
        }

        var pendingTalleres = await ListAsync(admin, "?role=TALLER&status=pending&page_size=100");
        Assert.True(pendingTalleres["total"]!.GetValue<long>() >= 3);
        Assert.All(Items(pendingTalleres), u =>
        {
            Assert.Equal(Roles.Taller, u["role"]!.GetValue<string>());
            Assert.False(u["is_active"]!.GetValue<bool>());
        });

        var all = Items(await ListAsync(admin, "?page_size=100"));
        var activeFlags = all.Select(u => u["is_active"]!.GetValue<bool>()).ToList();
        Assert.Equal(activeFlags.Order(), activeFlags);
        Assert.Contains(false, activeFlags);

        var secondPage = await ListAsync(admin, "?page=2&page_size=2");
        Assert.Equal(2, secondPage["page"]!.GetValue<int>());
        Assert.Equal(2, secondPage["page_size"]!.GetValue<int>());
        Assert.Equal(
            all.Skip(2).Take(2).Select(u => u["user_id"]!.GetValue<int>()),
            Items(secondPage).Select(u => u["user_id"]!.GetValue<int>()));
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users"), secondPage["total"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("?status=deleted", "status")]
    [InlineData("?role=CLIENTE", "role")]
    [InlineData("?page=0", "page")]
    [InlineData("?page_size=101", "page_size")]
    [InlineData("?page=abc", "page")]
    public async Task List_refuses_bad_filters_with_field_errors(string query, string field)
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        await ProblemAssert.IsValidationProblemAsync(await admin.GetAsync("/api/admin/users" + query), field);
    }

    [Fact]
    public async Task Admin_creates_accounts_of_any_role_active_at_once_and_never_shows_the_hash()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        var email = $"owner-{Guid.NewGuid():N}@test.mx";

        var response = await admin.PostAsJsonAsync("/api/admin/users", new { name = "Dueña", email, password = "clave-del-dueño", role = Roles.Owner }, AuthApi.Json);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("$2", text);
        Assert.DoesNotContain("\"pass", text);
        var created = JsonNode.Parse(text)!;
        Assert.True(created["is_active"]!.GetValue<bool>());
        Assert.Equal(Roles.Owner, created["role"]!.GetValue<string>());
        Assert.Equal($"/api/admin/users/{created["user_id"]}", response.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(response.Headers.Location)).StatusCode);
        Assert.DoesNotContain("$2", await admin.GetStringAsync("/api/admin/users?page_size=100"));

        using var client = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email, "clave-del-dueño")).StatusCode);
    }

    [Fact]
    public async Task Creating_an_existing_email_is_a_conflict()
    {
        using var admin = await _app.CreateClientAsync(Roles.Owner);
        var existing = await _app.CreateUserAsync(Roles.Taller);

        var response = await admin.PostAsJsonAsync("/api/admin/users",
            new { name = "Otro", email = existing.Email.ToUpperInvariant(), password = "otra-clave-segura", role = Roles.Taller, business_name = "Otro" }, AuthApi.Json);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Creating_with_bad_input_reports_the_fields()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        var response = await admin.PostAsJsonAsync("/api/admin/users",
            new { name = "", email = "sin-arroba", password = "corta", role = "JEFE" }, AuthApi.Json);
        foreach (var field in new[] { "name", "email", "password", "role" })
        {
            await ProblemAssert.IsValidationProblemAsync(response, field);
        }
    }

    [Fact]
    public async Task Unknown_user_is_404_and_deactivating_yourself_is_409()
    {
        var admin = await _app.CreateUserAsync(Roles.Admin);
        using var client = _app.CreateClient().WithBearer(admin.AccessToken);

        await ProblemAssert.IsProblemAsync(await client.PutAsJsonAsync("/api/admin/users/999999/activate", new { is_active = true }), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/admin/users/999999"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await client.PutAsJsonAsync($"/api/admin/users/{admin.Id}/activate", new { is_active = false }), HttpStatusCode.Conflict);
        await ProblemAssert.IsValidationProblemAsync(await client.PutAsJsonAsync($"/api/admin/users/{admin.Id}/activate", new { }), "is_active");
    }

    [Fact]
    public async Task Non_admins_get_403_and_anonymous_callers_401_as_problem_details()
    {
        using var taller = await _app.CreateClientAsync(Roles.Taller);
        await ProblemAssert.IsProblemAsync(await taller.GetAsync("/api/admin/users"), HttpStatusCode.Forbidden);
        using var anonymous = _app.CreateClient();
        await ProblemAssert.IsProblemAsync(await anonymous.GetAsync("/api/admin/users"), HttpStatusCode.Unauthorized);
    }

    private static async Task<JsonObject> ListAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/admin/users" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static List<JsonNode> Items(JsonObject page) => page["items"]!.AsArray().Select(n => n!).ToList();
}
