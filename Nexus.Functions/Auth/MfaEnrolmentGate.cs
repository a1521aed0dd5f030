using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth;
using Nexus.Core.Auth.Mfa;

namespace Nexus.Functions.Auth;

/// <summary>
/// <c>Auth:RequireMfaForAdmins</c>: an ADMIN or OWNER without active MFA reaches only the routes marked
/// <see cref="Exempt"/> (MFA status, setup and confirm, the own profile) until MFA is on; every other route that needs
/// a signed-in user answers a 403 problem titled "MFA enrolment required". Public routes stay public. Checked in the
/// database on every such request (one indexed lookup, only for these roles and only with the option on), so turning MFA
/// on opens the admin routes at once, in the same session.
/// </summary>
public static class MfaEnrolmentGate
{
    public const string ProblemTitle = "MFA enrolment required";

    /// <summary>Endpoint metadata: reachable before enrolment.</summary>
    public static readonly object Exempt = new ExemptFromMfaEnrolment();

    private sealed class ExemptFromMfaEnrolment;

    public static WebApplication UseMfaEnrolmentGate(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (await BlocksAsync(http))
            {
                await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: ProblemTitle,
                    detail: "This account must turn on multi-factor authentication (Mi cuenta) before it can use this.").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        return app;
    }

    private static async Task<bool> BlocksAsync(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated != true
            || http.User.FindFirst(AuthClaims.Role)?.Value is not (Roles.Admin or Roles.Owner)
            || !http.RequestServices.GetRequiredService<IOptions<MfaOptions>>().Value.RequireMfaForAdmins)
        {
            return false;
        }
        var endpoint = http.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || endpoint.Metadata.Contains(Exempt))
        {
            return false;
        }
        return !await http.RequestServices.GetRequiredService<MfaService>().IsActiveAsync(http.User.UserId(), http.RequestAborted);
    }
}
