using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Nexus.Core.Auth;

public sealed record AccessToken(string Token, int ExpiresIn);

/// <summary>Signs HS256 access tokens carrying user_id, role, business_name, jti and the session family.</summary>
public sealed class AccessTokenIssuer(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JwtOptions _jwt = options.Value;
    private readonly SigningCredentials _credentials = new(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.Value.SigningKey)), SecurityAlgorithms.HmacSha256);

    public AccessToken Issue(int userId, string role, string? businessName, Guid sessionFamily)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lifetime = TimeSpan.FromMinutes(_jwt.AccessTokenMinutes);
        var claims = new List<Claim>
        {
            new(AuthClaims.UserId, userId.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32),
            new(AuthClaims.Role, role),
            new(AuthClaims.TokenId, Guid.NewGuid().ToString("N")),
            new(AuthClaims.Session, sessionFamily.ToString("N")),
        };
        if (businessName is not null)
        {
            claims.Add(new Claim(AuthClaims.BusinessName, businessName));
        }
        var handler = new JwtSecurityTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateEncodedJwt(new SecurityTokenDescriptor
        {
            Issuer = _jwt.Issuer,
            Audience = _jwt.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = _credentials,
        });
        return new AccessToken(token, (int)lifetime.TotalSeconds);
    }
}
