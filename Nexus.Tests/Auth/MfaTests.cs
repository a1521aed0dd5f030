using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;
using Nexus.Tests.Queues;
using OtpNet;

namespace Nexus.Tests.Auth;

/// <summary>TOTP multi-factor authentication (ASVS 6.3.3, 6.5.x): enrolment, the login's second step, recovery codes, turning it off.</summary>
public sealed class MfaTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private readonly NexusApp _app = fixture.App;

    [Fact]
    public async Task Enrolment_gives_a_pending_secret_and_once_confirmed_the_login_needs_a_code()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = new NexusApp(fixture.Database, testServices: services => services.AddSingleton<ILoggerProvider>(logs));
        var user = await app.CreateUserAsync(Roles.Taller);
        var otherDevice = await StartAnotherSessionAsync(app, user);
        using var client = app.CreateClient().WithBearer(user.AccessToken);

        var setup = await client.PostAsync("/api/auth/mfa/setup", null);
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        Assert.Equal("no-store", setup.Headers.CacheControl?.ToString());
        var body = await setup.JsonAsync();
        var base32 = body["secret"]!.GetValue<string>();
        var secret = Base32Encoding.ToBytes(base32);
        Assert.Equal(20, secret.Length);
        Assert.Equal($"otpauth://totp/Nexus%20Autoparts:{user.Email}?secret={base32}&issuer=Nexus%20Autoparts", body["otpauth_uri"]!.GetValue<string>());

        // Pending: the login still gives tokens, the status says so and shows no secret.
        Assert.True((await (await app.CreateClient().LoginAsync(user.Email, TestUsers.Password)).JsonAsync()).ContainsKey("access_token"));
        var pending = await (await client.GetAsync("/api/auth/mfa")).JsonAsync();
        Assert.False(pending["enabled"]!.GetValue<bool>());
        Assert.True(pending["pending"]!.GetValue<bool>());
        Assert.DoesNotContain(base32, pending.ToJsonString());
        await using (var connection = await app.Database.DataSource.OpenConnectionAsync())
        {
            var stored = await connection.QuerySingleAsync<byte[]>("SELECT secret_encrypted FROM user_mfa WHERE user_id = @Id", new { user.Id });
            Assert.False(((ReadOnlySpan<byte>)stored).IndexOf(secret) >= 0, "The TOTP secret is stored in plain text.");
            Assert.DoesNotContain(base32, System.Text.Encoding.ASCII.GetString(stored));
        }

        var confirm = await client.ConfirmAsync(await MfaApi.CodeAsync(secret));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.DoesNotContain(base32, await confirm.Content.ReadAsStringAsync());
        var recoveryCodes = (await confirm.JsonAsync())["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(10, recoveryCodes.Distinct().Count());
        Assert.All(recoveryCodes, c => Assert.Matches("^[0-9a-z]{4}(-[0-9a-z]{4}){5}$", c));
        await using (var connection = await app.Database.DataSource.OpenConnectionAsync())
        {
            var hashes = (await connection.QueryAsync<string>("SELECT code_hash FROM mfa_recovery_codes WHERE user_id = @Id", new { user.Id })).ToList();
            Assert.Equal(10, hashes.Count);
            Assert.Empty(hashes.Intersect(recoveryCodes.Concat(recoveryCodes.Select(c => c.Replace("-", "")))));
        }
        // Turning MFA on ends the account's other sessions; this one goes on.
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().RefreshAsync(otherDevice.RefreshToken)).StatusCode);
        var status = await (await client.GetAsync("/api/auth/mfa")).JsonAsync();
        Assert.True(status["enabled"]!.GetValue<bool>());
        Assert.Equal(10, status["recovery_codes_left"]!.GetValue<int>());
        await ProblemAssert.IsProblemAsync(await client.PostAsync("/api/auth/mfa/setup", null), HttpStatusCode.Conflict);

        // The password alone now gives no tokens, only a 5-minute challenge.
        using var anonymous = app.CreateClient();
        var login = await anonymous.LoginAsync(user.Email, TestUsers.Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var challenge = await login.JsonAsync();
        Assert.True(challenge["mfa_required"]!.GetValue<bool>());
        Assert.Equal(300, challenge["expires_in"]!.GetValue<int>());
        Assert.False(challenge.ContainsKey("access_token") || challenge.ContainsKey("refresh_token"), challenge.ToJsonString());

        var verified = await anonymous.VerifyAsync(challenge["mfa_token"]!.GetValue<string>(), await MfaApi.CodeAsync(secret, 1));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var pair = await verified.JsonAsync();
        Assert.Equal("Bearer", pair["token_type"]!.GetValue<string>());
        Assert.Equal(user.Id, pair["user"]!["user_id"]!.GetValue<int>());
        using var signedIn = app.CreateClient().WithBearer(pair["access_token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.RefreshAsync(pair["refresh_token"]!.GetValue<string>())).StatusCode);

        // Neither the secret, nor a recovery code, nor the challenge token is ever logged; the activation is, by user id.
        var secrets = recoveryCodes.Append(base32).Append(challenge["mfa_token"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain(logs.Entries, e => secrets.Any(x => e.Message.Contains(x, StringComparison.OrdinalIgnoreCase)
            || e.State.Values.Any(v => v?.ToString()?.Contains(x, StringComparison.OrdinalIgnoreCase) == true)));
        Assert.Contains(logs.Entries, e => e.Message.Contains("turned MFA on", StringComparison.Ordinal) && Equals(e.State["UserId"], user.Id));
    }

    [Fact]
    public async Task A_wrong_code_a_replayed_code_and_a_used_or_expired_challenge_are_refused()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        // Confirmed with the previous step's code: one step of drift is accepted.
        var enrolment = await client.EnrolAsync(steps: -1);
        var secret = enrolment.Secret;
        using var anonymous = _app.CreateClient();

        var first = await anonymous.ChallengeAsync(user.Email);
        await AssertRefusedAsync(await anonymous.VerifyAsync(first, await MfaApi.WrongCodeAsync(secret)), "Invalid MFA code");
        await AssertRefusedAsync(await anonymous.VerifyAsync(first, await MfaApi.CodeAsync(secret, 3)), "Invalid MFA code");
        var next = await MfaApi.CodeAsync(secret, 1);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.VerifyAsync(first, next)).StatusCode);
        // The challenge is spent, whatever code comes with it.
        await AssertRefusedAsync(await anonymous.VerifyAsync(first, await MfaApi.CodeAsync(secret)), "Invalid MFA challenge");

        // The code just used, and any code of an earlier step, never works again.
        var second = await anonymous.ChallengeAsync(user.Email);
        await AssertRefusedAsync(await anonymous.VerifyAsync(second, next), "Invalid MFA code");
        await AssertRefusedAsync(await anonymous.VerifyAsync(second, await MfaApi.CodeAsync(secret)), "Invalid MFA code");

        // A challenge older than 5 minutes is over.
        var third = await anonymous.ChallengeAsync(user.Email);
        await using (var connection = await _app.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE mfa_challenges SET expires_at = now() - interval '1 second' WHERE token_hash = @hash",
                new { hash = RefreshTokens.HashOf(third) });
        }
        // (A recovery code, which any live challenge would take.)
        await AssertRefusedAsync(await anonymous.VerifyAsync(third, enrolment.RecoveryCodes[0]), "Invalid MFA challenge");
        await AssertRefusedAsync(await anonymous.VerifyAsync(RefreshTokens.New(), enrolment.RecoveryCodes[0]), "Invalid MFA challenge");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.VerifyAsync(await anonymous.ChallengeAsync(user.Email), enrolment.RecoveryCodes[0])).StatusCode);
        await ProblemAssert.IsValidationProblemAsync(await anonymous.VerifyAsync("", ""), "code");
    }

    [Fact]
    public async Task Wrong_codes_count_like_failed_logins_and_five_of_them_end_the_challenge()
    {
        await using var app = new NexusApp(fixture.Database, new Dictionary<string, string?> { ["Auth:MaxFailuresPerAccountAndAddress"] = "6" });
        var user = await app.CreateUserAsync(Roles.Taller);
        using var client = app.CreateClient().WithBearer(user.AccessToken);
        var secret = (await client.EnrolAsync()).Secret;
        using var anonymous = app.CreateClient();

        var challenge = await anonymous.ChallengeAsync(user.Email);
        for (var i = 0; i < 5; i++)
        {
            await AssertRefusedAsync(await anonymous.VerifyAsync(challenge, await MfaApi.WrongCodeAsync(secret)), "Invalid MFA code");
        }
        await AssertRefusedAsync(await anonymous.VerifyAsync(challenge, await MfaApi.CodeAsync(secret, 1)), "Invalid MFA challenge");

        // Five wrong codes of the six failures this address has for the account: one more, and even the right code or
        // password is refused from here.
        var again = await anonymous.ChallengeAsync(user.Email);
        await AssertRefusedAsync(await anonymous.VerifyAsync(again, await MfaApi.WrongCodeAsync(secret)), "Invalid MFA code");
        var throttled = await anonymous.VerifyAsync(again, await MfaApi.CodeAsync(secret, 1));
        await ProblemAssert.IsProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        Assert.Single(throttled.Headers.GetValues("Retry-After"));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anonymous.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
    }

    [Fact]
    public async Task A_recovery_code_works_once_in_place_of_a_code()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        var codes = (await client.EnrolAsync()).RecoveryCodes;
        using var anonymous = _app.CreateClient();

        // Typed in capitals and without the dashes, it still is the code.
        var typed = codes[3].Replace("-", " ").ToUpperInvariant();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.VerifyAsync(await anonymous.ChallengeAsync(user.Email), typed)).StatusCode);
        await AssertRefusedAsync(await anonymous.VerifyAsync(await anonymous.ChallengeAsync(user.Email), codes[3]), "Invalid MFA code");
        var other = await anonymous.VerifyAsync(await anonymous.ChallengeAsync(user.Email), codes[7]);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.True((await other.JsonAsync()).ContainsKey("refresh_token"));

        // Another account's code is no code here.
        var someoneElse = await _app.CreateUserAsync(Roles.Taller);
        using (var theirs = _app.CreateClient().WithBearer(someoneElse.AccessToken))
        {
            await theirs.EnrolAsync();
        }
        await AssertRefusedAsync(await anonymous.VerifyAsync(await anonymous.ChallengeAsync(someoneElse.Email), codes[0]), "Invalid MFA code");
        Assert.Equal(8, (await (await client.GetAsync("/api/auth/mfa")).JsonAsync())["recovery_codes_left"]!.GetValue<int>());
    }

    [Fact]
    public async Task Confirming_needs_the_password_and_a_current_code_of_the_pending_secret()
    {
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        await ProblemAssert.IsProblemAsync(await client.ConfirmAsync("123456"), HttpStatusCode.Conflict);
        var secret = await client.SetupAsync();

        await ProblemAssert.IsValidationProblemAsync(await client.ConfirmAsync(await MfaApi.CodeAsync(secret), "wrong-password!"), "current_password");
        await ProblemAssert.IsValidationProblemAsync(await client.ConfirmAsync(await MfaApi.WrongCodeAsync(secret)), "code");
        await ProblemAssert.IsValidationProblemAsync(await client.ConfirmAsync("12345"), "code");
        // A new setup replaces the pending secret: a code of the first one no longer confirms.
        var replaced = await client.SetupAsync();
        await ProblemAssert.IsValidationProblemAsync(await client.ConfirmAsync(await MfaApi.CodeAsync(secret)), "code");
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Email, TestUsers.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.ConfirmAsync(await MfaApi.CodeAsync(replaced))).StatusCode);
    }

    [Fact]
    public async Task Turning_mfa_off_needs_the_password_and_a_code_and_ends_the_other_sessions()
    {
        var user = await _app.CreateUserAsync(Roles.Taller);
        using var client = _app.CreateClient().WithBearer(user.AccessToken);
        var enrolment = await client.EnrolAsync(steps: -1);
        var otherDevice = await StartAnotherSessionAsync(_app, user);

        await ProblemAssert.IsValidationProblemAsync(await client.DisableAsync(new { }), "current_password");
        await ProblemAssert.IsValidationProblemAsync(await client.DisableAsync(new { current_password = "wrong-password!", code = await MfaApi.CodeAsync(enrolment.Secret) }),
            "current_password");
        await ProblemAssert.IsValidationProblemAsync(await client.DisableAsync(new { current_password = TestUsers.Password, code = await MfaApi.WrongCodeAsync(enrolment.Secret) }),
            "code");
        Assert.True((await (await client.GetAsync("/api/auth/mfa")).JsonAsync())["enabled"]!.GetValue<bool>());

        var off = await client.DisableAsync(new { current_password = TestUsers.Password, code = await MfaApi.CodeAsync(enrolment.Secret) });

        Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateClient().RefreshAsync(otherDevice.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
        Assert.True((await (await _app.CreateClient().LoginAsync(user.Email, TestUsers.Password)).JsonAsync()).ContainsKey("access_token"));
        Assert.False((await (await client.GetAsync("/api/auth/mfa")).JsonAsync())["enabled"]!.GetValue<bool>());
        await ProblemAssert.IsProblemAsync(await client.DisableAsync(new { current_password = TestUsers.Password, code = enrolment.RecoveryCodes[0] }),
            HttpStatusCode.Conflict);
        await using var connection = await _app.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "SELECT (SELECT count(*) FROM user_mfa WHERE user_id = @Id) + (SELECT count(*) FROM mfa_recovery_codes WHERE user_id = @Id)", new { user.Id }));
    }

    [Fact]
    public async Task A_password_reset_does_not_turn_mfa_off()
    {
        var admin = await _app.CreateUserAsync(Roles.Admin);
        var user = await _app.CreateUserAsync(Roles.Bodega);
        using (var client = _app.CreateClient().WithBearer(user.AccessToken))
        {
            await client.EnrolAsync();
        }
        using var adminClient = _app.CreateClient().WithBearer(admin.AccessToken);
        var token = (await (await adminClient.PostAsync($"/api/admin/users/{user.Id}/password-reset", null)).JsonAsync())["token"]!.GetValue<string>();
        using var anonymous = _app.CreateClient();

        var reset = await anonymous.PostAsJsonAsync("/api/auth/password-reset", new { token, new_password = "tuerca-azul-de-acero" }, AuthApi.Json);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.False(string.IsNullOrEmpty(await anonymous.ChallengeAsync(user.Email, "tuerca-azul-de-acero")));
    }

    private static async Task<AuthSession> StartAnotherSessionAsync(NexusApp app, TestUser user)
    {
        var auth = app.Services.GetRequiredService<AuthService>();
        return await auth.StartSessionAsync((await auth.GetProfileAsync(user.Id, CancellationToken.None))!, CancellationToken.None);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string title)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.False(problem.ContainsKey("access_token"));
    }
}
