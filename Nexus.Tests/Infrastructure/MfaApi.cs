using System.Net;
using System.Net.Http.Json;
using OtpNet;

namespace Nexus.Tests.Infrastructure;

/// <summary>The MFA endpoints as a client calls them, and TOTP codes computed with Otp.NET as an authenticator app would.</summary>
public static class MfaApi
{
    /// <summary>An enrolled user's secret and the recovery codes shown at activation.</summary>
    public sealed record Enrolment(byte[] Secret, IReadOnlyList<string> RecoveryCodes);

    public static async Task<byte[]> SetupAsync(this HttpClient client)
    {
        var response = await client.PostAsync("/api/auth/mfa/setup", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Base32Encoding.ToBytes((await response.JsonAsync())["secret"]!.GetValue<string>());
    }

    public static Task<HttpResponseMessage> ConfirmAsync(this HttpClient client, string code, string password = TestUsers.Password) =>
        client.PostAsJsonAsync("/api/auth/mfa/confirm", new { code, current_password = password }, AuthApi.Json);

    /// <summary>Setup, then confirmation with the code of <paramref name="steps"/> time steps from now (-1, 0 or 1).</summary>
    public static async Task<Enrolment> EnrolAsync(this HttpClient client, int steps = 0)
    {
        var secret = await client.SetupAsync();
        var response = await client.ConfirmAsync(await CodeAsync(secret, steps));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var codes = (await response.JsonAsync())["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        return new Enrolment(secret, codes);
    }

    public static Task<HttpResponseMessage> VerifyAsync(this HttpClient client, string mfaToken, string code) =>
        client.PostAsJsonAsync("/api/auth/mfa/verify", new { mfa_token = mfaToken, code }, AuthApi.Json);

    /// <summary>Logs in with the test password and returns the MFA challenge token (the login must ask for a code).</summary>
    public static async Task<string> ChallengeAsync(this HttpClient client, string email, string password = TestUsers.Password)
    {
        var response = await client.LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body["mfa_required"]?.GetValue<bool>(), body.ToJsonString());
        return body["mfa_token"]!.GetValue<string>();
    }

    public static Task<HttpResponseMessage> DisableAsync(this HttpClient client, object? body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/auth/mfa")
        {
            Content = body is null ? null : JsonContent.Create(body, options: AuthApi.Json),
        });

    /// <summary>
    /// The code of <paramref name="steps"/> 30-second steps from now. Waits out the last 2 seconds of a step first, so
    /// that the step the code was computed for is still the server's step when the request arrives.
    /// </summary>
    public static async Task<string> CodeAsync(byte[] secret, int steps = 0)
    {
        var intoStep = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 30_000;
        if (intoStep > 28_000)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(30_000 - intoStep + 100));
        }
        return new Totp(secret).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));
    }

    /// <summary>Six digits that are no valid code of the secret within ±1 step of now.</summary>
    public static async Task<string> WrongCodeAsync(byte[] secret)
    {
        var valid = new[] { await CodeAsync(secret, -1), await CodeAsync(secret), await CodeAsync(secret, 1) };
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(c => !valid.Contains(c));
    }
}
