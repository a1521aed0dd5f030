using System.Globalization;
using System.Security.Claims;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

public static class CurrentUser
{
    /// <summary>The user_id of an authenticated request (the access check has already proved it is well formed).</summary>
    public static int UserId(this ClaimsPrincipal user) =>
        int.Parse(user.FindFirstValue(AuthClaims.UserId) ?? throw new InvalidOperationException("Not authenticated."), CultureInfo.InvariantCulture);

    public static string Role(this ClaimsPrincipal user) =>
        user.FindFirstValue(AuthClaims.Role) ?? throw new InvalidOperationException("Not authenticated.");

    public static Guid SessionFamily(this ClaimsPrincipal user) =>
        Guid.ParseExact(user.FindFirstValue(AuthClaims.Session) ?? throw new InvalidOperationException("Not authenticated."), "N");
}
