using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Auth;

/// <summary>ASVS 9.1.1/9.1.2/9.2.1/9.2.3: only HS256 tokens signed with our key, for our issuer and audience, in date.</summary>
public sealed class TokenValidationTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>, IAsyncLifetime
{
    private const string Issuer = "nexus";
    private const string Audience = "nexus-api";

    private readonly NexusApp _app = fixture.App;
    private TestUser _taller = null!;

    public async Task InitializeAsync()
    {
        _taller = await _app.CreateUserAsync(Roles.Taller);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_token_forged_exactly_like_ours_is_accepted_which_makes_the_rejections_below_meaningful()
    {
        Assert.Equal(HttpStatusCode.OK, await MeAsync(Forge()));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(_taller.AccessToken));
    }

    [Fact]
    public async Task Alg_none_is_refused()
    {
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var payload = _taller.AccessToken.Split('.')[1];
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync($"{header}.{payload}."));
    }

    [Fact]
    public async Task Other_algorithms_with_our_key_are_refused()
    {
        // Signed by hand: IdentityModel refuses to create HS512 with a key under 512 bits, but an attacker would not ask it.
        var header = Base64Url("""{"alg":"HS512","typ":"JWT"}""");
        var payload = Forge().Split('.')[1];
        using var hmac = new System.Security.Cryptography.HMACSHA512(Encoding.UTF8.GetBytes(TestEnvironment.JwtSigningKey));
        var signature = Base64UrlEncoder.Encode(hmac.ComputeHash(Encoding.ASCII.GetBytes($"{header}.{payload}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync($"{header}.{payload}.{signature}"));
    }

    [Fact]
    public async Task Wrong_key_is_refused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(key: "another-signing-key-that-is-long-enough-for-hs256")));

    [Fact]
    public async Task Wrong_issuer_is_refused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(issuer: "someone-else")));

    [Fact]
    public async Task Wrong_audience_is_refused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(audience: "another-api")));

    [Fact]
    public async Task Token_expired_one_second_beyond_the_five_second_skew_is_refused()
    {
        // Issued by the real issuer with a clock set back so that exp + 5 s skew lies one second in the past.
        var lifetime = TimeSpan.FromMinutes(15);
        var expired = IssuerWithClockShift(-(lifetime + TimeSpan.FromSeconds(6)))
            .Issue(_taller.Id, Roles.Taller, null, FamilyOf(_taller.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(expired.Token));

        var stillValid = IssuerWithClockShift(-(lifetime - TimeSpan.FromMinutes(1)))
            .Issue(_taller.Id, Roles.Taller, null, FamilyOf(_taller.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(stillValid.Token));
    }

    [Fact]
    public async Task Role_claim_edited_in_the_payload_breaks_the_signature()
    {
        var parts = _taller.AccessToken.Split('.');
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])))!;
        payload["role"] = Roles.Admin;
        var tampered = $"{parts[0]}.{Base64Url(payload.ToJsonString())}.{parts[2]}";

        using var client = _app.CreateClient().WithBearer(tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Correctly_signed_token_whose_role_differs_from_the_account_is_refused()
    {
        using var client = _app.CreateClient().WithBearer(Forge(role: Roles.Admin));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/admin/users")).StatusCode);
    }

    [Fact]
    public async Task Token_without_session_family_is_refused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(Forge(includeSession: false)));

    [Fact]
    public async Task Unauthenticated_answer_is_a_problem_with_a_bearer_challenge()
    {
        using var client = _app.CreateClient().WithBearer(Forge(issuer: "someone-else"));
        var response = await client.GetAsync("/api/auth/me");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    private async Task<HttpStatusCode> MeAsync(string token)
    {
        using var client = _app.CreateClient().WithBearer(token);
        return (await client.GetAsync("/api/auth/me")).StatusCode;
    }

    private string Forge(
        string key = TestEnvironment.JwtSigningKey,
        string issuer = Issuer,
        string audience = Audience,
        string role = Roles.Taller,
        bool includeSession = true)
    {
        var claims = new List<Claim>
        {
            new(AuthClaims.UserId, _taller.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32),
            new(AuthClaims.Role, role),
            new(AuthClaims.TokenId, Guid.NewGuid().ToString("N")),
        };
        if (includeSession)
        {
            claims.Add(new Claim(AuthClaims.Session, FamilyOf(_taller.AccessToken).ToString("N")));
        }
        var now = DateTime.UtcNow;
        return new JwtSecurityTokenHandler().CreateEncodedJwt(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static AccessTokenIssuer IssuerWithClockShift(TimeSpan shift) =>
        new(Options.Create(new JwtOptions { SigningKey = TestEnvironment.JwtSigningKey, Issuer = Issuer, Audience = Audience }), new ShiftedClock(shift));

    private static Guid FamilyOf(string token) =>
        Guid.ParseExact(new JwtSecurityTokenHandler().ReadJwtToken(token).Claims.Single(c => c.Type == AuthClaims.Session).Value, "N");

    private static string Base64Url(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    /// <summary>The real clock, moved by a fixed amount.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }
}
