using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;
using Nexus.Tests.Queues;

namespace Nexus.Tests.Auth;

/// <summary>One database, a range server listing the test's breached passwords, and an app configured to ask it.</summary>
public sealed class BreachedPasswordFixture : IAsyncLifetime
{
    /// <summary>Passes every other check; the range server lists it as seen 1,234 times.</summary>
    public const string Breached = "mango-bicicleta-41";

    /// <summary>Passes every other check; its suffix is in the answer, but only as a padding line (count 0).</summary>
    public const string PaddingOnly = "ciruela-tambor-58";

    public TestDatabase Database { get; private set; } = null!;
    public PwnedPasswordsRangeServer Range { get; private set; } = null!;
    public NexusApp App { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();

    public static readonly IReadOnlyDictionary<string, int> Listed = new Dictionary<string, int> { [Breached] = 1234, [PaddingOnly] = 0 };

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Range = await PwnedPasswordsRangeServer.StartAsync(Listed);
        App = AppFor(Range.Address.ToString(), Logs);
        App.CreateClient().Dispose();
    }

    public NexusApp AppFor(string api, CapturingLoggerProvider logs, string timeout = "00:00:02") => new(Database, new Dictionary<string, string?>
    {
        ["Auth:BreachedPasswordsApi"] = api,
        ["Auth:BreachedPasswordsTimeout"] = timeout,
    }, testServices: services => services.AddSingleton<ILoggerProvider>(logs));

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Range.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// ASVS 6.2.12: new passwords are checked against breached ones through the k-anonymity range API (a real HTTP server
/// here, <see cref="PwnedPasswordsRangeServer"/>): only the first 5 hex characters of the SHA-1 are sent, padding lines do
/// not count, and an API that is down or slow lets the password through with a warning.
/// </summary>
public sealed class BreachedPasswordTests(BreachedPasswordFixture fixture) : IClassFixture<BreachedPasswordFixture>
{
    private readonly NexusApp _app = fixture.App;

    private static object Registration(string password) => new
    {
        name = "Rosa Martínez",
        email = $"r-{Guid.NewGuid():N}@test.mx",
        password,
        role = Roles.Bodega,
        business_name = "Refaccionaria La Esperanza",
    };

    private static async Task<string> ErrorAsync(HttpResponseMessage response, string field)
    {
        var body = await ProblemAssert.IsValidationProblemAsync(response, field);
        return body["errors"]![field]![0]!.GetValue<string>();
    }

    [Fact]
    public async Task A_breached_password_is_refused_at_registration_and_only_the_five_character_prefix_is_sent()
    {
        var hash = PwnedPasswordsRangeServer.Sha1(BreachedPasswordFixture.Breached);
        var before = fixture.Range.Requests.Count;
        using var client = _app.CreateClient();

        var message = await ErrorAsync(await client.RegisterAsync(Registration(BreachedPasswordFixture.Breached)), "password");

        Assert.Equal(BreachedPasswords.Message, message);
        Assert.Contains("filtraciones de datos conocidas", message);
        var request = Assert.Single(fixture.Range.Requests.Skip(before));
        Assert.Equal("GET", request.Method);
        Assert.Equal($"/range/{hash[..5]}", request.Path);
        Assert.Equal("", request.Query);
        Assert.Equal(0, request.BodyBytes);
        Assert.Equal("true", request.Headers["Add-Padding"]);
        foreach (var sent in request.Headers.Values.Append(request.Path))
        {
            Assert.DoesNotContain(hash[5..], sent, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(BreachedPasswordFixture.Breached, sent, StringComparison.Ordinal);
        }
        // Nor does the app log the password, its hash or the prefix (the HttpClient's own request log would show the URL).
        Assert.All(fixture.Logs.Entries, e =>
        {
            Assert.DoesNotContain(BreachedPasswordFixture.Breached, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(hash[5..], e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain($"range/{hash[..5]}", e.Message, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task A_breached_password_is_refused_at_a_password_change_and_the_old_one_stays()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        async Task<HttpResponseMessage> ChangeAsync(string password) =>
            await client.PostAsJsonAsync("/api/auth/password", new { current_password = TestUsers.Password, new_password = password }, AuthApi.Json);

        Assert.Equal(BreachedPasswords.Message, await ErrorAsync(await ChangeAsync(BreachedPasswordFixture.Breached), "new_password"));

        using var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.LoginAsync(user.Email, BreachedPasswordFixture.Breached)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ChangeAsync("tornillo-violeta-73")).StatusCode);
    }

    [Fact]
    public async Task A_breached_password_is_refused_when_an_admin_creates_an_account_and_at_a_password_reset()
    {
        using var admin = await _app.CreateClientAsync(Roles.Admin);
        object Account(string password) => new
        {
            name = "Luis Ortega", email = $"luis-{Guid.NewGuid():N}@test.mx", password, role = Roles.Taller, business_name = "Frenos Ortega",
        };
        Assert.Equal(BreachedPasswords.Message,
            await ErrorAsync(await admin.PostAsJsonAsync("/api/admin/users", Account(BreachedPasswordFixture.Breached), AuthApi.Json), "password"));

        var user = await _app.CreateUserAsync(Roles.Taller);
        var token = (await (await admin.PostAsync($"/api/admin/users/{user.Id}/password-reset", null)).JsonAsync())["token"]!.GetValue<string>();
        using var anonymous = _app.CreateClient();
        async Task<HttpResponseMessage> ResetAsync(string password) =>
            await anonymous.PostAsJsonAsync("/api/auth/password-reset", new { token, new_password = password }, AuthApi.Json);

        Assert.Equal(BreachedPasswords.Message, await ErrorAsync(await ResetAsync(BreachedPasswordFixture.Breached), "new_password"));
        // The refusal leaves the link usable.
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync("tornillo-violeta-73")).StatusCode);
    }

    [Fact]
    public async Task A_password_whose_suffix_appears_only_as_a_padding_line_is_accepted()
    {
        var hash = PwnedPasswordsRangeServer.Sha1(BreachedPasswordFixture.PaddingOnly);
        var before = fixture.Range.Requests.Count;
        using var client = _app.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration(BreachedPasswordFixture.PaddingOnly))).StatusCode);

        Assert.Equal($"/range/{hash[..5]}", Assert.Single(fixture.Range.Requests.Skip(before)).Path);
    }

    [Fact]
    public async Task An_unreachable_api_lets_the_password_through_with_a_warning_that_holds_nothing_of_the_password()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var logs = new CapturingLoggerProvider();
        await using var app = fixture.AppFor($"http://127.0.0.1:{port}", logs);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration(BreachedPasswordFixture.Breached))).StatusCode);

        var warning = Assert.Single(logs.Entries, e => e.Category == typeof(BreachedPasswords).FullName && e.Level == LogLevel.Warning);
        Assert.Equal("unreachable", warning.State["Reason"]);
        Assert.Equal("127.0.0.1", warning.State["BreachedPasswordsHost"]);
        Assert.True(warning.State.ContainsKey("ElapsedMs"));
        AssertNothingOfThePasswordIn(logs);
    }

    [Fact]
    public async Task A_slow_api_beyond_the_timeout_lets_the_password_through()
    {
        // This server would refuse the password, but only after 10 s; the check gives up after 0.5 s.
        await using var slow = await PwnedPasswordsRangeServer.StartAsync(BreachedPasswordFixture.Listed, delay: TimeSpan.FromSeconds(10));
        var logs = new CapturingLoggerProvider();
        await using var app = fixture.AppFor(slow.Address.ToString(), logs, timeout: "00:00:00.500");
        using var client = app.CreateClient();
        var started = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration(BreachedPasswordFixture.Breached))).StatusCode);

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(8), $"took {started.Elapsed}");
        Assert.Single(slow.Requests);
        var warning = Assert.Single(logs.Entries, e => e.Category == typeof(BreachedPasswords).FullName && e.Level == LogLevel.Warning);
        Assert.Equal("timeout", warning.State["Reason"]);
        Assert.Equal(500L, warning.State["TimeoutMs"]);
        AssertNothingOfThePasswordIn(logs);
    }

    [Theory]
    [InlineData("api.pwnedpasswords.com")]
    [InlineData("ftp://api.pwnedpasswords.com")]
    [InlineData("http://api.pwnedpasswords.com")]
    [InlineData("https://api.pwnedpasswords.com/?key=1")]
    public async Task Host_refuses_a_breached_passwords_api_that_is_not_an_https_url(string api)
    {
        await using var app = fixture.AppFor(api, new CapturingLoggerProvider());
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("BreachedPasswordsApi", error.ToString());
    }

    private static void AssertNothingOfThePasswordIn(CapturingLoggerProvider logs)
    {
        var hash = PwnedPasswordsRangeServer.Sha1(BreachedPasswordFixture.Breached);
        Assert.All(logs.Entries, e =>
        {
            var text = e.Message + string.Join(" ", e.State.Values);
            Assert.DoesNotContain(BreachedPasswordFixture.Breached, text, StringComparison.Ordinal);
            Assert.DoesNotContain(hash[5..], text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain($"range/{hash[..5]}", text, StringComparison.OrdinalIgnoreCase);
        });
    }
}
