using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Nexus.Core.Admin;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

/// <summary>Authorization policies by who may call: TALLER sees prices, BODEGA manages inventory, ADMIN and OWNER everything.</summary>
public static class Policies
{
    public const string Taller = "taller";
    public const string Bodega = "bodega";
    public const string Admin = "admin";
}

public static class AuthSetup
{
    public static IServiceCollection AddNexusAuth(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((options, jwt) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = TokenParameters.For(jwt.Value);
                options.Events = new JwtBearerEvents { OnTokenValidated = AccessCheck.ValidateAsync };
            });

        services.AddRateLimiter(o => o.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Taller, p => p.RequireRole(Roles.Taller, Roles.Admin, Roles.Owner))
            .AddPolicy(Policies.Bodega, p => p.RequireRole(Roles.Bodega, Roles.Admin, Roles.Owner))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin, Roles.Owner));
        return services;
    }
}

public static class AccountServices
{
    /// <summary>Core services of Auth and Admin (called from AddNexusFeatures).</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<UserAdminService>();
        return services;
    }
}

public static class TokenParameters
{
    public static TokenValidationParameters For(JwtOptions jwt) => new()
    {
        ValidIssuer = jwt.Issuer,
        ValidAudience = jwt.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey)),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(5),
        NameClaimType = "user_id",
        RoleClaimType = "role",
    };
}
