using System.Globalization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

/// <summary>
/// Runs after the signature and lifetime checks: a token only counts while its account is active, still has the
/// token's role and its session family is not logged out. No cache, so deactivation and logout apply at once.
/// </summary>
public static class AccessCheck
{
    /// <summary>Metadata of a public endpoint that still acts on the caller when there is one (logout).</summary>
    public static readonly object OptionalCaller = new ReadsOptionalCaller();

    private sealed class ReadsOptionalCaller;

    /// <summary>
    /// A public endpoint (AllowAnonymous) does not read the token a signed-in client sends along: the catalog does not
    /// depend on who asks, and checking the token would cost every signed-in catalog read a session query (a third of
    /// what such a read costs in bench/load).
    /// </summary>
    public static Task SkipOnPublicEndpointsAsync(MessageReceivedContext context)
    {
        var metadata = context.HttpContext.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<IAllowAnonymous>() is not null && !metadata.Contains(OptionalCaller))
        {
            context.NoResult();
        }
        return Task.CompletedTask;
    }

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
        var aborted = context.HttpContext.RequestAborted;
        bool current;
        try
        {
            current = await auth.IsAccessCurrentAsync(userId, role, family, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client hung up (wrk does at the end of every run): nobody to answer, and no error to log with a stack trace.
            context.Fail("The request was aborted.");
            return;
        }
        if (!current)
        {
            context.Fail("The account is inactive, its role changed, or the session ended.");
        }
    }
}
