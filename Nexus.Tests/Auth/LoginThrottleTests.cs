using System.Net;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>ASVS 6.3.1: repeated failed logins are refused with 429. Each test runs its own host with small limits.</summary>
public sealed class LoginThrottleTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    [Fact]
    public async Task Failed_logins_per_account_lead_to_429_with_retry_after_even_for_the_right_password()
    {
        await using var app = Throttled(perAccount: 3, perAddress: 100);
        var victim = await app.CreateUserAsync(Roles.Taller);
        var bystander = await app.CreateUserAsync(Roles.Taller);
        using var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(victim.Email, "wrong-password")).StatusCode);
        }
        var throttled = await client.LoginAsync(victim.Email, TestUsers.Password);

        await ProblemAssert.IsProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        var retryAfter = int.Parse(Assert.Single(throttled.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, 15 * 60);
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(bystander.Email, TestUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task Failed_logins_per_client_address_lead_to_429_across_accounts()
    {
        await using var app = Throttled(perAccount: 100, perAddress: 3);
        var user = await app.CreateUserAsync(Roles.Bodega);
        using var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync($"guess-{i}@test.mx", "wrong-password")).StatusCode);
        }

        await ProblemAssert.IsProblemAsync(await client.LoginAsync(user.Email, TestUsers.Password), HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Successful_logins_do_not_count()
    {
        await using var app = Throttled(perAccount: 2, perAddress: 2);
        var user = await app.CreateUserAsync(Roles.Taller);
        using var client = app.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Email, "wrong-password")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Email, "wrong-password")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.LoginAsync(user.Email, "wrong-password")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_guesses_never_exceed_the_limit()
    {
        await using var app = Throttled(perAccount: 3, perAddress: 100);
        var user = await app.CreateUserAsync(Roles.Taller);
        using var client = app.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.LoginAsync(user.Email, "wrong-password")));

        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(9, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Registrations_per_client_address_are_limited_with_429_and_retry_after()
    {
        await using var app = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:MaxRegistrationsPerAddressPerHour"] = "2" });
        using var client = app.CreateClient();
        object Registration() => new { name = "Taller", email = $"r-{Guid.NewGuid():N}@test.mx", password = TestUsers.Password, role = Roles.Taller, business_name = "Taller" };

        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration())).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.RegisterAsync(Registration())).StatusCode);
        var limited = await client.RegisterAsync(Registration());

        var problem = await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("Too many registrations", problem["detail"]!.GetValue<string>());
        Assert.InRange(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After"))), 1, 3600);
    }

    private NexusApp Throttled(int perAccount, int perAddress) => new(fixture.Database, new Dictionary<string, string?>
    {
        ["Auth:MaxFailuresPerAccount"] = perAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:MaxFailuresPerAddress"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });
}
