using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>
/// ASVS 6.3.1: repeated failed logins are refused with 429; 6.1.1: without letting anyone lock the owner out. Each test
/// runs its own host with small limits; requests come from the addresses a test chooses (<see cref="TestClientAddress"/>).
/// </summary>
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

    [Fact]
    public async Task An_address_that_keeps_failing_is_locked_for_that_account_only_and_other_addresses_go_on()
    {
        await using var app = Throttled(perAccount: 100, perAddress: 100, perAccountAndAddress: 3);
        var victim = await app.CreateUserAsync(Roles.Taller);
        var other = await app.CreateUserAsync(Roles.Taller);
        using var attacker = app.CreateClient().From("203.0.113.66");
        using var owner = app.CreateClient().From("198.51.100.7");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.LoginAsync(victim.Email, "wrong-password")).StatusCode);
        }

        await ProblemAssert.IsProblemAsync(await attacker.LoginAsync(victim.Email, TestUsers.Password), HttpStatusCode.TooManyRequests);
        // The lock is the attacker's: the owner, from an address never seen before, and the attacker's other accounts go on.
        Assert.Equal(HttpStatusCode.OK, (await owner.LoginAsync(victim.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await attacker.LoginAsync(other.Email, TestUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task The_owners_known_address_still_logs_in_while_an_attackers_address_is_locked()
    {
        await using var app = Throttled(perAccount: 5, perAddress: 100, perAccountAndAddress: 3);
        var victim = await app.CreateUserAsync(Roles.Taller);
        using var owner = app.CreateClient().From("198.51.100.7");
        using var attacker = app.CreateClient().From("203.0.113.66");
        Assert.Equal(HttpStatusCode.OK, (await owner.LoginAsync(victim.Email, TestUsers.Password)).StatusCode);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.LoginAsync(victim.Email, "wrong-password")).StatusCode);
        }
        await ProblemAssert.IsProblemAsync(await attacker.LoginAsync(victim.Email, TestUsers.Password), HttpStatusCode.TooManyRequests);
        // The attacker moves to other addresses until the account-wide limit (5) is reached, and then every new address waits...
        for (var i = 1; i <= 2; i++)
        {
            using var next = app.CreateClient().From($"203.0.113.{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await next.LoginAsync(victim.Email, "wrong-password")).StatusCode);
        }
        using var another = app.CreateClient().From("203.0.113.3");
        await ProblemAssert.IsProblemAsync(await another.LoginAsync(victim.Email, TestUsers.Password), HttpStatusCode.TooManyRequests);

        // ...but the owner's address, known from its login, goes on: a typo is a 401, the password works.
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.LoginAsync(victim.Email, "wrong-password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.LoginAsync(victim.Email, TestUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task Failures_spread_over_many_addresses_throttle_every_unknown_address_for_that_account_only()
    {
        await using var app = Throttled(perAccount: 4, perAddress: 100, perAccountAndAddress: 10);
        var victim = await app.CreateUserAsync(Roles.Bodega);
        var other = await app.CreateUserAsync(Roles.Bodega);

        for (var i = 1; i <= 4; i++)
        {
            using var guesser = app.CreateClient().From($"2001:db8::{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.LoginAsync(victim.Email, "wrong-password")).StatusCode);
        }

        using var fresh = app.CreateClient().From("2001:db8::99");
        var throttled = await fresh.LoginAsync(victim.Email, TestUsers.Password);
        await ProblemAssert.IsProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(Assert.Single(throttled.Headers.GetValues("Retry-After"))), 1, 15 * 60);
        Assert.Equal(HttpStatusCode.OK, (await fresh.LoginAsync(other.Email, TestUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task The_throttle_answers_alike_whether_or_not_the_account_exists()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var app = Throttled(perAccount: 5, perAddress: 100, perAccountAndAddress: 3, clock);
        var existing = (await app.CreateUserAsync(Roles.Taller)).Email;
        var missing = $"nadie-{Guid.NewGuid():N}@test.mx";

        async Task<List<string>> AnswersAsync(string email, string block)
        {
            var answers = new List<string>();
            async Task TryAsync(string address, string password)
            {
                using var client = app.CreateClient().From(address);
                var response = await client.LoginAsync(email, password);
                var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : "-";
                answers.Add($"{(int)response.StatusCode} {retryAfter} {await response.ProblemWithoutTraceIdAsync()}");
            }
            // One address up to its lock, then more addresses up to the account-wide limit and beyond.
            for (var i = 0; i < 4; i++)
            {
                await TryAsync($"{block}.1", "wrong-password");
            }
            await TryAsync($"{block}.1", TestUsers.Password);
            for (var i = 2; i <= 5; i++)
            {
                await TryAsync($"{block}.{i}", "wrong-password");
            }
            await TryAsync($"{block}.9", TestUsers.Password);
            return answers;
        }

        var forExisting = await AnswersAsync(existing, "192.0.2");
        var forMissing = await AnswersAsync(missing, "198.18.0");

        Assert.Equal(forExisting, forMissing);
        Assert.Equal(["401", "401", "401", "429", "429", "401", "401", "429", "429", "429"], forExisting.Select(a => a[..3]));
        Assert.All(forExisting.Where(a => a.StartsWith("429", StringComparison.Ordinal)), a => Assert.StartsWith("429 900 ", a));
    }

    [Fact]
    public async Task A_known_address_is_let_past_the_account_wide_limit_for_30_days_after_its_last_login()
    {
        var clock = new TestClock(DateTimeOffset.UtcNow);
        await using var app = Throttled(perAccount: 3, perAddress: 100, perAccountAndAddress: 10, clock);
        var victim = await app.CreateUserAsync(Roles.Taller);
        using var owner = app.CreateClient().From("198.51.100.7");
        async Task FailFromThreeAddressesAsync()
        {
            for (var i = 1; i <= 3; i++)
            {
                using var guesser = app.CreateClient().From($"203.0.113.{i}");
                Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.LoginAsync(victim.Email, "wrong-password")).StatusCode);
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await owner.LoginAsync(victim.Email, TestUsers.Password)).StatusCode);

        clock.Advance(TimeSpan.FromDays(29));
        await FailFromThreeAddressesAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.LoginAsync(victim.Email, TestUsers.Password)).StatusCode);

        // 30 days and a minute after that last login the address is a stranger again.
        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await FailFromThreeAddressesAsync();
        await ProblemAssert.IsProblemAsync(await owner.LoginAsync(victim.Email, TestUsers.Password), HttpStatusCode.TooManyRequests);
    }

    private NexusApp Throttled(int perAccount, int perAddress, int? perAccountAndAddress = null, TestClock? clock = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:MaxFailuresPerAccount"] = perAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Auth:MaxFailuresPerAddress"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (perAccountAndAddress is { } pair)
        {
            settings["Auth:MaxFailuresPerAccountAndAddress"] = pair.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return new NexusApp(fixture.Database, settings, testServices: services =>
        {
            TestClientAddress.AddTo(services);
            if (clock is not null)
            {
                services.AddSingleton<TimeProvider>(clock);
            }
        });
    }
}
