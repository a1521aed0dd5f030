using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Nexus.Core.Admin;
using Nexus.Core.Auth;
using Nexus.Core.Auth.Mfa;
using Nexus.Core.Inventory;
using Nexus.Functions.Hosting;

namespace Nexus.Functions.Auth;

/// <summary>Authorization policies by who may call: TALLER sees prices, BODEGA manages inventory, ADMIN and OWNER everything.</summary>
public static class Policies
{
    public const string Taller = "taller";
    public const string Bodega = "bodega";
    public const string Admin = "admin";
}

/// <summary>Request rate limits (ASP.NET's limiter, per instance, like the login throttle).</summary>
public static class RateLimits
{
    public const string Registration = "registration";

    /// <summary>Password resets with a token per client address and hour (<c>Auth:MaxPasswordResetsPerAddressPerHour</c>).</summary>
    public const string PasswordReset = "password-reset";

    /// <summary>Catalog searches per client address and minute (<c>Nexus:MaxSearchesPerAddressPerMinute</c>; 0 = no limit).</summary>
    public const string Search = "search";

    /// <summary>Mapping previews per user and minute (<c>Inventory:MaxPreviewsPerMinute</c>).</summary>
    public const string InventoryPreview = "inventory-preview";

    /// <summary>The 429 problem: the endpoint's <see cref="RateLimitProblem"/>, or the registration one.</summary>
    public static ValueTask RejectAsync(OnRejectedContext context)
    {
        var http = context.HttpContext;
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? (int)Math.Ceiling(retryAfter.TotalSeconds) : 3600;
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = http.GetEndpoint()?.Metadata.GetMetadata<RateLimitProblem>()
            ?? new RateLimitProblem("Too many registrations", "Too many registrations from this address. Try again in {0} seconds.");
        return new ValueTask(Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: problem.Title,
            detail: string.Format(System.Globalization.CultureInfo.InvariantCulture, problem.DetailFormat, seconds),
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-4").ExecuteAsync(http));
    }

    /// <summary>Partitions a limit by the signed-in user; anonymous requests are not limited here (authorization refuses them).</summary>
    public static RateLimitPartition<string> PerUser(HttpContext http, Func<string, FixedWindowRateLimiterOptions> options) =>
        http.User.FindFirst(AuthClaims.UserId)?.Value is { } userId
            ? RateLimitPartition.GetFixedWindowLimiter(userId, options)
            : RateLimitPartition.GetNoLimiter("anonymous");
}

/// <summary>Title and detail of the 429 problem of a rate-limited endpoint; <c>{0}</c> in the detail is the seconds to wait.</summary>
public sealed record RateLimitProblem(string Title, string DetailFormat);

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
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = AccessCheck.SkipOnPublicEndpointsAsync,
                    OnTokenValidated = AccessCheck.ValidateAsync,
                };
            });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimits.Registration, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.MaxRegistrationsPerAddressPerHour,
                    Window = TimeSpan.FromHours(1),
                }));
            o.AddPolicy(RateLimits.PasswordReset, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.MaxPasswordResetsPerAddressPerHour,
                    Window = TimeSpan.FromHours(1),
                }));
            o.AddPolicy(RateLimits.InventoryPreview, http => RateLimits.PerUser(http, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = http.RequestServices.GetRequiredService<IOptions<InventoryOptions>>().Value.MaxPreviewsPerMinute,
                Window = TimeSpan.FromMinutes(1),
            }));
            o.AddPolicy(RateLimits.Search, http =>
                http.RequestServices.GetRequiredService<IOptions<NexusOptions>>().Value.MaxSearchesPerAddressPerMinute is > 0 and var max
                    ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = max, Window = TimeSpan.FromMinutes(1) })
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.OnRejected = (context, _) => RateLimits.RejectAsync(context);
        });
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
        // A named client, created per lookup by the singleton: the factory rotates handlers (DNS changes are seen). Its
        // request logging is removed because the URL carries the password hash's prefix; the timeout is the check's own.
        services.AddHttpClient(BreachedPasswords.HttpClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("nexus-autoparts");
            })
            .RemoveAllLoggers();
        services.AddSingleton<BreachedPasswords>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<AuthService>();
        services.AddSingleton<UserAdminService>();
        services.AddSingleton<PasswordResetService>();
        services.AddOptions<MfaOptions>().BindConfiguration(MfaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MfaSecretProtector>();
        services.AddSingleton<MfaService>();
        services.AddSingleton<MfaLogin>();
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
