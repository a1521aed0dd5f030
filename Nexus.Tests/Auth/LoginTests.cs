using System.Net;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

public sealed class LoginTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    [Fact]
    public async Task Login_returns_a_bearer_pair_and_the_profile_and_records_last_login()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var client = _app.CreateClient();

        var response = await client.LoginAsync(user.Email.ToUpperInvariant(), TestUsers.Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(TestUsers.PasswordHash, text);
        Assert.DoesNotContain("\"pass", text);
        var body = await response.JsonAsync();
        Assert.Equal("Bearer", body["token_type"]!.GetValue<string>());
        Assert.Equal(900, body["expires_in"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(body["refresh_token"]!.GetValue<string>()));
        Assert.Equal(user.Id, body["user"]!["user_id"]!.GetValue<int>());
        Assert.Equal(Roles.Bodega, body["user"]!["role"]!.GetValue<string>());
        Assert.Equal("BODEGA Test S.A.", body["user"]!["business_name"]!.GetValue<string>());

        using var authenticated = _app.CreateClient().WithBearer(body["access_token"]!.GetValue<string>());
        var me = await (await authenticated.GetAsync("/api/auth/me")).JsonAsync();
        Assert.Equal(user.Email, me["email"]!.GetValue<string>());
        Assert.NotNull(me["last_login"]?.GetValue<DateTime>());
    }

    [Fact]
    public async Task Unknown_email_wrong_password_pending_and_deactivated_accounts_get_one_identical_answer()
    {
        var active = await _app.CreateUserAsync(Roles.Taller);
        var pending = await _app.CreateUserAsync(Roles.Taller, active: false);
        var deactivated = await _app.CreateUserAsync(Roles.Bodega);
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET is_active = false WHERE id_user = @Id", new { deactivated.Id });
        }
        using var client = _app.CreateClient();

        var answers = new[]
        {
            await client.LoginAsync($"nobody-{Guid.NewGuid():N}@test.mx", TestUsers.Password),
            await client.LoginAsync(active.Email, TestUsers.Password + "x"),
            await client.LoginAsync(pending.Email, TestUsers.Password),
            await client.LoginAsync(deactivated.Email, TestUsers.Password),
        };

        foreach (var answer in answers)
        {
            await ProblemAssert.IsProblemAsync(answer, HttpStatusCode.Unauthorized);
        }
        var bodies = await Task.WhenAll(answers.Select(a => a.ProblemWithoutTraceIdAsync()));
        Assert.True(bodies.Distinct().Count() == 1, string.Join("\n", bodies));
    }

    [Fact]
    public async Task Registration_creates_an_inactive_account_hashed_with_bcrypt_cost_12_or_more()
    {
        using var client = _app.CreateClient();
        var email = $"reg-{Guid.NewGuid():N}@test.mx";

        var response = await client.RegisterAsync(Registration(email, "una-clave-segura"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pending_approval", (await response.JsonAsync())["status"]!.GetValue<string>());
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(string Pass, bool IsActive, int IdRol)>(
            "SELECT pass, is_active, id_rol FROM users WHERE email = @email", new { email });
        Assert.False(row.IsActive);
        Assert.Equal(Roles.IdOf(Roles.Taller), row.IdRol);
        Assert.StartsWith(PasswordHasher.PreHashedPrefix + "$2", row.Pass);
        Assert.True(PasswordHasher.WorkFactorOf(row.Pass) >= 12, row.Pass[..7]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(email, "una-clave-segura")).StatusCode);
    }

    [Fact]
    public async Task Registering_an_existing_email_answers_exactly_like_a_new_registration()
    {
        var existing = await _app.CreateUserAsync(Roles.Bodega);
        using var client = _app.CreateClient();

        var fresh = await client.RegisterAsync(Registration($"new-{Guid.NewGuid():N}@test.mx", "otra-clave-segura"));
        var duplicate = await client.RegisterAsync(Registration(existing.Email.ToUpperInvariant(), "otra-clave-segura"));

        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.Equal(fresh.StatusCode, duplicate.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), await duplicate.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Roles.Admin)]
    [InlineData(Roles.Owner)]
    [InlineData("CLIENTE")]
    public async Task Registration_accepts_only_taller_or_bodega(string role)
    {
        using var client = _app.CreateClient();
        var response = await client.RegisterAsync(Registration($"r-{Guid.NewGuid():N}@test.mx", "una-clave-segura", role));
        await ProblemAssert.IsValidationProblemAsync(response, "role");
    }

    [Fact]
    public async Task Registration_reports_every_missing_or_malformed_field()
    {
        using var client = _app.CreateClient();
        var empty = await client.RegisterAsync(new { });
        foreach (var field in new[] { "email", "password", "name", "role" })
        {
            await ProblemAssert.IsValidationProblemAsync(empty, field);
        }
        var malformed = await client.RegisterAsync(Registration("not-an-email", "corta"));
        await ProblemAssert.IsValidationProblemAsync(malformed, "email");
        await ProblemAssert.IsValidationProblemAsync(malformed, "password");
    }

    [Fact]
    public async Task Passwords_of_64_accented_characters_work_whole_and_every_byte_counts()
    {
        using var client = _app.CreateClient();
        var accented64 = new string('ñ', 64); // 2 bytes each: 64 characters, 128 bytes, far beyond bcrypt's 72
        var email = $"n64-{Guid.NewGuid():N}@test.mx";

        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration(email, accented64))).StatusCode);
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET is_active = true WHERE email = @email", new { email });
        }

        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email, accented64)).StatusCode);
        // Passwords that agree with it on the first 72 bytes and differ only after them: bcrypt alone could not tell.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(email, new string('ñ', 63) + "ó")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(email, new string('ñ', 36))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(email, accented64 + "x")).StatusCode);
    }

    [Fact]
    public async Task Passwords_are_limited_to_128_characters_of_any_script_and_never_trimmed()
    {
        using var client = _app.CreateClient();
        var emoji128 = string.Concat(Enumerable.Repeat("🔧", 128)); // 4 bytes each: 128 characters, 512 bytes
        var email = $"e128-{Guid.NewGuid():N}@test.mx";

        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration(email, emoji128))).StatusCode);
        await ProblemAssert.IsValidationProblemAsync(await client.RegisterAsync(Registration($"a129-{Guid.NewGuid():N}@test.mx", new string('a', 129))), "password");
        await ProblemAssert.IsValidationProblemAsync(await client.RegisterAsync(Registration($"e129-{Guid.NewGuid():N}@test.mx", emoji128 + "🔧")), "password");
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET is_active = true WHERE email = @email", new { email });
        }
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(email, emoji128)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(email, " " + emoji128)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(email, emoji128 + "🔧")).StatusCode);
    }

    [Fact]
    public async Task Login_without_email_or_password_is_a_validation_problem()
    {
        using var client = _app.CreateClient();
        var response = await client.LoginAsync("", "");
        await ProblemAssert.IsValidationProblemAsync(response, "email");
        await ProblemAssert.IsValidationProblemAsync(response, "password");
    }

    [Fact]
    public async Task Host_refuses_a_bcrypt_work_factor_below_12()
    {
        await using var weak = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:BcryptWorkFactor"] = "11" });
        var error = Assert.ThrowsAny<Exception>(() => weak.CreateClient());
        Assert.Contains("BcryptWorkFactor", error.ToString());
    }

    private static object Registration(string email, string password, string role = Roles.Taller) => new
    {
        name = "Juan Pérez",
        email,
        password,
        role,
        business_name = "Taller Pérez",
        phone = "+52 33 1234 5678",
    };
}
