using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Hostile;

/// <summary>
/// Malformed, oversized and forged bearer tokens on a bodega route (TokenValidationTests covers the well-formed forgeries:
/// alg none, other algorithms, wrong key, issuer, audience and expiry). Every one is a 401 problem with a Bearer challenge.
/// </summary>
public static class HostileTokenCases
{
    private const string Route = "/api/inventory/items";

    public static IEnumerable<HostileCase> All =>
    [
        new("jwt_garbage", run => RefusedAsync(run, "not-a-jwt")),
        new("jwt_two_segments", run => RefusedAsync(run, "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ")),
        new("jwt_six_segments", run => RefusedAsync(run, string.Join('.', Enumerable.Repeat(Segment("{}"), 6)))),
        new("jwt_of_300_kb", run => RefusedAsync(run, Segment("""{"alg":"HS256"}""") + "." + new string('A', 300 * 1024) + ".c2ln")),
        new("jwt_header_not_json", run => RefusedAsync(run, $"{Segment("{{{ not json")}.{Payload(run)}.c2ln")),
        new("jwt_payload_nested_5000_deep", run => RefusedAsync(run, Signed("""{"alg":"HS256","typ":"JWT"}""",
            "{\"user_id\":" + new string('[', 5000) + new string(']', 5000) + "}", Encoding.UTF8.GetBytes(TestEnvironment.JwtSigningKey)))),
        new("jwt_alg_none_in_capitals", run => RefusedAsync(run, $"{Segment("""{"alg":"NONE","typ":"JWT"}""")}.{Payload(run)}.")),
        new("jwt_with_an_embedded_key_it_is_signed_with", run =>
        {
            var key = RandomNumberGenerator.GetBytes(32);
            var header = $$"""{"alg":"HS256","typ":"JWT","jwk":{"kty":"oct","k":"{{Base64UrlEncoder.Encode(key)}}"},"jku":"http://evil.example/keys"}""";
            return RefusedAsync(run, Signed(header, PayloadJson(run), key));
        }),
        new("jwt_signed_with_our_key_but_malformed_claims", run => RefusedAsync(run, Signed("""{"alg":"HS256","typ":"JWT"}""",
            $$"""{"user_id":"1 OR 1=1","role":"ROOT'--","sid":"../../etc","iss":"nexus","aud":"nexus-api","exp":{{Exp()}}}""", Encoding.UTF8.GetBytes(TestEnvironment.JwtSigningKey)))),
        new("jwt_signed_with_our_key_for_a_user_that_does_not_exist", run => RefusedAsync(run, Signed("""{"alg":"HS256","typ":"JWT"}""",
            PayloadJson(run, userId: 999_999), Encoding.UTF8.GetBytes(TestEnvironment.JwtSigningKey)))),
        new("jwt_in_the_query_string", async run =>
        {
            var response = await run.Fixture.AnonymousClient().GetAsync($"{Route}?access_token={run.Bodega.AccessToken}");
            await run.RefusedAsync(response, HttpStatusCode.Unauthorized, null, null);
        }),
    ];

    private static async Task RefusedAsync(HostileRun run, string token)
    {
        using var client = run.Fixture.AnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Route);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        var response = await client.SendAsync(request);
        await run.RefusedAsync(response, HttpStatusCode.Unauthorized, null, null);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    private static string Segment(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    private static string Payload(HostileRun run) => Segment(PayloadJson(run));

    /// <summary>The bodega's own claims (its user id, role and live session), as a forger would copy them.</summary>
    private static string PayloadJson(HostileRun run, int? userId = null)
    {
        var sid = new JwtSecurityTokenHandler().ReadJwtToken(run.Bodega.AccessToken).Claims.Single(c => c.Type == AuthClaims.Session).Value;
        return $$"""{"user_id":{{userId ?? run.Bodega.Id}},"role":"BODEGA","sid":"{{sid}}","iss":"nexus","aud":"nexus-api","exp":{{Exp()}}}""";
    }

    private static long Exp() => DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

    private static string Signed(string header, string payload, byte[] key)
    {
        var input = $"{Segment(header)}.{Segment(payload)}";
        using var hmac = new HMACSHA256(key);
        return $"{input}.{Base64UrlEncoder.Encode(hmac.ComputeHash(Encoding.ASCII.GetBytes(input)))}";
    }
}
