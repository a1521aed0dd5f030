using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Nexus.Core.Auth;
using Nexus.Core.Auth.Mfa;

namespace Nexus.Functions.Auth;

/// <summary>TOTP multi-factor authentication (ASVS 6.3.3): enrolment, the login's second step, turning it off.</summary>
public static class MfaEndpoints
{
    public sealed record MfaConfirmBody(string? Code, string? CurrentPassword);

    public sealed record MfaDisableBody(string? CurrentPassword, string? Code);

    /// <param name="PreviousRefreshToken">As in the login body: the session this login replaces, ended once the code is right.</param>
    public sealed record MfaVerifyBody(string? MfaToken, string? Code, string? PreviousRefreshToken = null);

    /// <summary>The login's answer when the password is right and MFA is on: no tokens, a challenge for <c>/mfa/verify</c>.</summary>
    public sealed record MfaChallengeResponse(bool MfaRequired, string MfaToken, int ExpiresIn);

    public sealed record MfaSetupResponse(string Secret, string OtpauthUri);

    public sealed record MfaConfirmResponse(IReadOnlyList<string> RecoveryCodes);

    public static void MapMfaEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth/mfa").WithTags("Auth");
        group.MapGet("", StatusAsync).RequireAuthorization().WithMetadata(MfaEnrolmentGate.Exempt);
        group.MapPost("/setup", SetupAsync).RequireAuthorization().WithMetadata(MfaEnrolmentGate.Exempt);
        group.MapPost("/confirm", ConfirmAsync).RequireAuthorization().WithMetadata(MfaEnrolmentGate.Exempt);
        group.MapDelete("", DisableAsync).RequireAuthorization();
        // The challenge token is the credential here: the caller has no session yet.
        group.MapPost("/verify", VerifyAsync).AllowAnonymous();
    }

    internal static IResult Challenge(HttpContext http, MfaChallenge challenge)
    {
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new MfaChallengeResponse(true, challenge.Token, challenge.ExpiresIn));
    }

    private static async Task<IResult> StatusAsync(ClaimsPrincipal user, MfaService mfa, CancellationToken ct) =>
        Results.Ok(await mfa.StatusAsync(user.UserId(), ct));

    /// <summary>A new pending secret and its otpauth URI; the secret is never shown again.</summary>
    private static async Task<IResult> SetupAsync(ClaimsPrincipal user, MfaService mfa, HttpContext http, CancellationToken ct)
    {
        switch (await mfa.SetupAsync(user.UserId(), ct))
        {
            case MfaSetupResult.Started started:
                http.Response.Headers.CacheControl = "no-store";
                return Results.Ok(new MfaSetupResponse(started.Setup.Secret, started.Setup.OtpauthUri));
            default:
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "MFA already active",
                    detail: "Turn multi-factor authentication off (password and code) before setting up a new authenticator.");
        }
    }

    private static async Task<IResult> ConfirmAsync(MfaConfirmBody body, ClaimsPrincipal user, MfaService mfa, HttpContext http, CancellationToken ct)
    {
        if (Invalid(body.CurrentPassword, body.Code, totpOnly: true) is { } invalid)
        {
            return invalid;
        }
        switch (await mfa.ConfirmAsync(user.UserId(), user.SessionFamily(), body.CurrentPassword!, body.Code!, AuthEndpoints.ClientAddress(http), ct))
        {
            case MfaConfirmResult.Confirmed confirmed:
                http.Response.Headers.CacheControl = "no-store";
                return Results.Ok(new MfaConfirmResponse(confirmed.RecoveryCodes));
            case MfaConfirmResult.NoPendingSetup:
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No pending MFA setup",
                    detail: "Start a setup first; if multi-factor authentication is already on, there is nothing to confirm.");
            case MfaConfirmResult.WrongPassword:
                return WrongPassword();
            case MfaConfirmResult.WrongCode:
                return WrongCode();
            case MfaConfirmResult.Throttled throttled:
                return AuthEndpoints.TooManyAttempts(http, throttled.RetryAfter);
            default:
                throw new InvalidOperationException("Unknown MFA confirmation result.");
        }
    }

    /// <summary>Turns MFA off with the current password and a code (TOTP or recovery); the account's other sessions end.</summary>
    private static async Task<IResult> DisableAsync([FromBody] MfaDisableBody? body, ClaimsPrincipal user, MfaService mfa, HttpContext http, CancellationToken ct)
    {
        if (Invalid(body?.CurrentPassword, body?.Code, totpOnly: false) is { } invalid)
        {
            return invalid;
        }
        return await mfa.DisableAsync(user.UserId(), user.SessionFamily(), body!.CurrentPassword!, body.Code!, AuthEndpoints.ClientAddress(http), ct) switch
        {
            MfaDisableResult.Disabled => Results.NoContent(),
            MfaDisableResult.NotActive => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "MFA is not active",
                detail: "Multi-factor authentication is not on for this account."),
            MfaDisableResult.WrongPassword => WrongPassword(),
            MfaDisableResult.WrongCode => WrongCode(),
            MfaDisableResult.Throttled throttled => AuthEndpoints.TooManyAttempts(http, throttled.RetryAfter),
            _ => throw new InvalidOperationException("Unknown MFA disable result."),
        };
    }

    /// <summary>The login's second step: the challenge and a code give the same token pair (or cookie) as a password login.</summary>
    private static async Task<IResult> VerifyAsync(MfaVerifyBody body, MfaLogin mfa, AuthService auth, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(body.MfaToken))
        {
            errors["mfa_token"] = ["MFA token is required."];
        }
        if (string.IsNullOrWhiteSpace(body.Code))
        {
            errors["code"] = ["Code is required."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        return await mfa.VerifyAsync(body.MfaToken!, body.Code!, AuthEndpoints.Client(http), ct) switch
        {
            MfaVerifyResult.Verified verified => Results.Ok(await AuthEndpoints.SignedInAsync(http, auth, verified.Session, body.PreviousRefreshToken, ct)),
            MfaVerifyResult.WrongCode => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid MFA code",
                detail: "The code is wrong, expired or already used."),
            MfaVerifyResult.Throttled throttled => AuthEndpoints.TooManyAttempts(http, throttled.RetryAfter),
            _ => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid MFA challenge",
                detail: "The MFA challenge is unknown, expired or already used. Log in again."),
        };
    }

    private static IResult? Invalid(string? currentPassword, string? code, bool totpOnly)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(currentPassword))
        {
            errors["current_password"] = ["Current password is required."];
        }
        if (string.IsNullOrWhiteSpace(code))
        {
            errors["code"] = ["Code is required."];
        }
        else if (totpOnly && !TotpCodes.LooksLikeCode(code.Trim()))
        {
            errors["code"] = ["Code must be the 6 digits the authenticator app shows."];
        }
        return errors.Count > 0 ? Results.ValidationProblem(errors) : null;
    }

    private static IResult WrongPassword() =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["current_password"] = ["The current password is wrong."] });

    private static IResult WrongCode() =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["The code is wrong, expired or already used."] });
}
