using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

/// <summary>
/// Runs after the signature and lifetime checks: a token only counts while its account is active, still has the
/// token's role and its session family is not logged out. No cache, so deactivation and logout apply at once.
/// </summary>
public static class AccessCheck
{
    public static async Task ValidateAsync(TokenValidatedContext context)
    {
        var principal = context.Principal;
        if (principal is null
            || !int.TryParse(principal.FindFirst(AuthClaims.UserId)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            || principal.FindFirst(AuthClaims.Role)?.Value is not { } role
            || !Guid.TryParseExact(principal.FindFirst(AuthClaims.Session)?.Value, "N", out var family))
        {
            context.Fail("The token lacks user_id, role or sid.");
            return;
        }
        var auth = context.HttpContext.RequestServices.GetRequiredService<AuthService>();
        if (!await auth.IsAccessCurrentAsync(userId, role, family, context.HttpContext.RequestAborted))
        {
            context.Fail("The account is inactive, its role changed, or the session ended.");
        }
    }
}
