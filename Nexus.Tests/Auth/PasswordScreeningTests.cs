using System.Net;
using System.Net.Http.Json;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>
/// New passwords are refused when they are common (ASVS 6.2.4) or contain a context word (6.2.11): the app's name or the
/// account's own email, name or business name. Through every way a password is set: registration, an admin creating
/// an account, a password change.
/// </summary>
public sealed class PasswordScreeningTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    private static object Registration(string password, string? email = null) => new
    {
        name = "Rosa Martínez",
        email = email ?? $"r-{Guid.NewGuid():N}@test.mx",
        password,
        role = Roles.Bodega,
        business_name = "Refaccionaria La Esperanza",
    };

    private static async Task<string> PasswordErrorAsync(HttpResponseMessage response, string field)
    {
        var body = await ProblemAssert.IsValidationProblemAsync(response, field);
        return body["errors"]![field]![0]!.GetValue<string>();
    }

    [Theory]
    [InlineData("password1234")]
    [InlineData("QWERTYUIOP")]
    [InlineData("1234567890")]
    [InlineData("iloveyou123")]
    public async Task Registration_refuses_a_common_password_in_any_case(string password)
    {
        using var client = _app.CreateClient();
        Assert.Contains("most common passwords", await PasswordErrorAsync(await client.RegisterAsync(Registration(password)), "password"));
    }

    [Theory]
    [InlineData("MiClaveNexus2026", "nexus")]
    [InlineData("auto-partes-baratas", "autopartes")]
    [InlineData("Las AUTOPARTS 99", "autoparts")]
    [InlineData("esperanza#2026!", "esperanza")]
    [InlineData("rosita.martinez!!", "martinez")]
    [InlineData("Chavez-Rios-1985!", "chavez")]
    [InlineData("Refaccionária-9", "refaccionaria")]
    public async Task Registration_refuses_a_password_containing_the_app_or_the_account_itself(string password, string word)
    {
        using var client = _app.CreateClient();
        var message = await PasswordErrorAsync(await client.RegisterAsync(Registration(password, $"chavez.rios-{Guid.NewGuid():N}"[..19] + "@test.mx")), "password");
        Assert.Contains($"\"{word}\"", message);
    }

    [Fact]
    public async Task Registration_takes_a_password_free_of_both_and_the_words_of_another_account_do_not_count()
    {
        using var client = _app.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration("tornillo-violeta-73"))).StatusCode);
        // "Pérez" is someone else's name: only the registering account's own words are banned.
        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration("perez-gonzalez-73"))).StatusCode);
    }

    [Fact]
    public async Task An_admin_cannot_create_an_account_with_a_common_or_context_password()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        object Account(string password) => new
        {
            name = "Luis Ortega", email = $"luis-{Guid.NewGuid():N}@test.mx", password, role = Roles.Taller, business_name = "Frenos Ortega",
        };

        Assert.Contains("most common", await PasswordErrorAsync(await admin.PostAsJsonAsync("/api/admin/users", Account("princess123"), AuthApi.Json), "password"));
        Assert.Contains("\"ortega\"", await PasswordErrorAsync(await admin.PostAsJsonAsync("/api/admin/users", Account("Ortega-Frenos-1"), AuthApi.Json), "password"));
        Assert.Contains("\"nexus\"", await PasswordErrorAsync(await admin.PostAsJsonAsync("/api/admin/users", Account("bienvenido.nexus"), AuthApi.Json), "password"));
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/admin/users", Account("pastel-de-elote-44"), AuthApi.Json)).StatusCode);
    }

    [Fact]
    public async Task A_password_change_refuses_common_and_context_passwords_and_keeps_the_old_one()
    {
        var user = await _app.CreateUserAsync(Roles.Taller, email: $"jorge.hdz-{Guid.NewGuid():N}@test.mx");
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        async Task<HttpResponseMessage> ChangeAsync(string password) =>
            await client.PostAsJsonAsync("/api/auth/password", new { current_password = TestUsers.Password, new_password = password }, AuthApi.Json);

        Assert.Contains("most common", await PasswordErrorAsync(await ChangeAsync("basketball1"), "new_password"));
        Assert.Contains("\"jorge\"", await PasswordErrorAsync(await ChangeAsync("Jorge-1975-xyz"), "new_password"));
        // CreateUserAsync names the business "TALLER Test S.A.".
        Assert.Contains("\"taller\"", await PasswordErrorAsync(await ChangeAsync("mi-taller-de-frenos"), "new_password"));
        Assert.Contains("\"autopartes\"", await PasswordErrorAsync(await ChangeAsync("Auto Partes 2026!"), "new_password"));

        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ChangeAsync("tornillo-violeta-73")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, "tornillo-violeta-73")).StatusCode);
    }

    [Fact]
    public void The_shipped_list_starts_at_the_minimum_length_so_no_length_the_policy_accepts_goes_unchecked()
    {
        // The list keeps only entries the length rule does not already refuse; lowering MinLength needs a longer list.
        Assert.True(CommonPasswords.Count > 1500, $"{CommonPasswords.Count} common passwords");
        Assert.True(CommonPasswords.Contains("password1234"));
        Assert.False(CommonPasswords.Contains("tornillo-violeta-73"));
        Assert.Equal(PasswordPolicy.MinLength, CommonPasswords.ShortestLength);
    }
}
