using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

public static class AuthEndpoints
{
    public sealed record RegisterBody(string? Name, string? Email, string? Password, string? Role, string? BusinessName, string? Phone, string? Address);

    /// <param name="PreviousRefreshToken">
    /// Optional, for API clients: the refresh token of the session this login replaces, whose family is then ended
    /// (ASVS 7.2.4), as a web login ends the family of its cookie. Ignored unless it belongs to the same account.
    /// </param>
    public sealed record LoginBody(string? Email, string? Password, string? PreviousRefreshToken = null);

    public sealed record PasswordResetBody(string? Token, string? NewPassword);

    public sealed record RefreshBody(string? RefreshToken);

    public sealed record PasswordBody(string? CurrentPassword, string? NewPassword);

    /// <param name="RefreshToken">Absent for web clients: theirs travels only in the HttpOnly cookie.</param>
    public sealed record TokenResponse(
        string AccessToken,
        string TokenType,
        int ExpiresIn,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
        UserProfile User);

    public sealed record RegisterResponse(string Status, string Message);

    /// <summary>The caller's live sessions, the current one first.</summary>
    public sealed record SessionList(IReadOnlyList<ActiveSession> Items);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/register", RegisterAsync).AllowAnonymous().RequireRateLimiting(RateLimits.Registration);
        group.MapPost("/login", LoginAsync).AllowAnonymous();
        // The refresh token is the credential here: the access token may well have expired already.
        group.MapPost("/refresh", RefreshAsync).AllowAnonymous();
        group.MapPost("/logout", LogoutAsync).AllowAnonymous().WithMetadata(AccessCheck.OptionalCaller);
        group.MapGet("/me", MeAsync).RequireAuthorization().WithMetadata(MfaEnrolmentGate.Exempt);
        group.MapPost("/password", ChangePasswordAsync).RequireAuthorization();
        // The reset token is the credential: the user has forgotten the password and holds no session.
        group.MapPost("/password-reset", ResetPasswordAsync).AllowAnonymous().RequireRateLimiting(RateLimits.PasswordReset)
            .WithMetadata(new RateLimitProblem("Demasiados intentos de restablecimiento / Too many password resets",
                "Demasiados intentos de restablecer la contraseña desde esta dirección: espera {0} segundos. / "
                + "Too many password reset attempts from this address: try again in {0} seconds."));
        group.MapGet("/sessions", ListSessionsAsync).RequireAuthorization();
        group.MapDelete("/sessions/{id:guid}", EndSessionAsync).RequireAuthorization();
    }

    private static async Task<IResult> RegisterAsync(RegisterBody body, AuthService auth, CancellationToken ct)
    {
        var user = new NewUser(body.Email ?? "", body.Password ?? "", body.Name ?? "", body.Role ?? "", body.BusinessName, body.Phone, body.Address);
        return await auth.RegisterAsync(user, ct) switch
        {
            RegisterResult.Invalid invalid => Results.ValidationProblem(invalid.Errors),
            // The same answer whether or not the email was already registered (ASVS 6.3.8).
            _ => Results.Accepted(value: new RegisterResponse("pending_approval", "Registration received. An administrator will review and activate the account.")),
        };
    }

    private static async Task<IResult> LoginAsync(LoginBody body, AuthService auth, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Email))
        {
            errors["email"] = ["Email is required."];
        }
        if (string.IsNullOrEmpty(body.Password))
        {
            errors["password"] = ["Password is required."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        return await auth.LoginAsync(body.Email!, body.Password!, ClientAddress(http), ct, UserAgent(http)) switch
        {
            LoginResult.Success success => Results.Ok(await SignedInAsync(http, auth, success.Session, body.PreviousRefreshToken, ct)),
            LoginResult.MfaRequired mfa => MfaEndpoints.Challenge(http, mfa.Challenge),
            LoginResult.Throttled throttled => TooManyAttempts(http, throttled.RetryAfter),
            _ => InvalidCredentials(),
        };
    }

    /// <summary>The answer of a completed login (password, or password and MFA code): the token pair.</summary>
    internal static async Task<TokenResponse> SignedInAsync(HttpContext http, AuthService auth, AuthSession session, string? previousRefreshToken, CancellationToken ct)
    {
        // Re-authenticating in the same browser ends the session it had (ASVS 7.2.4): the cookie is replaced, whoever's it was.
        if (RefreshCookie.Read(http.Request) is { } previous)
        {
            await auth.LogoutAsync(previous, ct);
        }
        // An API client may name the session the login replaces; only one of the same account is ended this way.
        if (!string.IsNullOrEmpty(previousRefreshToken))
        {
            await auth.LogoutAsync(previousRefreshToken, ct, session.User.UserId);
        }
        return Tokens(http, session);
    }

    /// <summary>Proves the current password, sets the new one and ends the account's other sessions; this one goes on.</summary>
    private static async Task<IResult> ChangePasswordAsync(PasswordBody body, ClaimsPrincipal user, AuthService auth, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.CurrentPassword))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["current_password"] = ["Current password is required."] });
        }
        return await auth.ChangePasswordAsync(user.UserId(), user.SessionFamily(), body.CurrentPassword, body.NewPassword ?? "", ClientAddress(http), ct) switch
        {
            PasswordChangeResult.Changed => Results.NoContent(),
            PasswordChangeResult.Invalid invalid => Results.ValidationProblem(invalid.Errors),
            PasswordChangeResult.Throttled throttled => TooManyAttempts(http, throttled.RetryAfter),
            _ => Results.ValidationProblem(new Dictionary<string, string[]> { ["current_password"] = ["The current password is wrong."] }),
        };
    }

    /// <summary>Sets a new password with an admin-started reset token (ASVS 6.4.3); the token is spent and every session ends.</summary>
    private static async Task<IResult> ResetPasswordAsync(PasswordResetBody body, PasswordResetService resets, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.Token))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["token"] = ["Token is required."] });
        }
        return await resets.CompleteAsync(body.Token, body.NewPassword ?? "", ClientAddress(http), ct) switch
        {
            PasswordResetResult.Completed => Results.NoContent(),
            PasswordResetResult.Invalid invalid => Results.ValidationProblem(invalid.Errors),
            _ => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: "Enlace de restablecimiento no válido / Invalid password reset link",
                detail: "El enlace no existe, caducó o ya se usó; pide uno nuevo a un administrador. / "
                    + "The link is unknown, expired or already used; ask an administrator for a new one."),
        };
    }

    internal static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string? UserAgent(HttpContext http) => http.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null;

    internal static SessionClient Client(HttpContext http) => new(UserAgent(http), ClientAddress(http));

    /// <summary>The caller's live sessions (login, last use, client) so that a forgotten or stolen one can be ended (ASVS 7.5.2).</summary>
    private static async Task<IResult> ListSessionsAsync(ClaimsPrincipal user, AuthService auth, CancellationToken ct) =>
        Results.Ok(new SessionList(await auth.ListSessionsAsync(user.UserId(), user.SessionFamily(), ct)));

    /// <summary>Ends one of the caller's sessions at once, its refresh and access tokens alike; the current one is a logout.</summary>
    private static async Task<IResult> EndSessionAsync(Guid id, ClaimsPrincipal user, AuthService auth, HttpContext http, CancellationToken ct)
    {
        if (!await auth.EndSessionAsync(user.UserId(), id, ct))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found",
                detail: "You have no open session with this id; it may have ended already.");
        }
        if (id == user.SessionFamily() && RefreshCookie.IsWebClient(http.Request))
        {
            RefreshCookie.Delete(http);
        }
        return Results.NoContent();
    }

    /// <summary>Rotates the refresh token of the body, or else (web clients only) of the <see cref="RefreshCookie"/>.</summary>
    private static async Task<IResult> RefreshAsync(RefreshBody? body, AuthService auth, HttpContext http, CancellationToken ct)
    {
        var fromCookie = string.IsNullOrEmpty(body?.RefreshToken);
        var token = fromCookie ? RefreshCookie.Read(http.Request) : body!.RefreshToken;
        if (string.IsNullOrEmpty(token))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["refresh_token"] = ["Refresh token is required."] });
        }
        var session = await auth.RefreshAsync(token, ct, Client(http));
        if (session is null)
        {
            if (fromCookie)
            {
                RefreshCookie.Delete(http);
            }
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid refresh token",
                detail: "The refresh token is unknown, expired, revoked or already used. Log in again.");
        }
        return Results.Ok(Tokens(http, session));
    }

    /// <summary>Ends the session family of the refresh token in the body, or the cookie's (web clients), or else of the caller's access token.</summary>
    private static async Task<IResult> LogoutAsync(RefreshBody? body, AuthService auth, ClaimsPrincipal user, HttpContext http, CancellationToken ct)
    {
        var cookieToken = RefreshCookie.Read(http.Request);
        if (RefreshCookie.IsWebClient(http.Request))
        {
            RefreshCookie.Delete(http);
        }
        var token = string.IsNullOrEmpty(body?.RefreshToken) ? cookieToken : body.RefreshToken;
        if (!string.IsNullOrEmpty(token))
        {
            await auth.LogoutAsync(token, ct);
            return Results.NoContent();
        }
        if (user.Identity?.IsAuthenticated == true)
        {
            await auth.LogoutAsync(user.UserId(), user.SessionFamily(), ct);
            return Results.NoContent();
        }
        return Results.ValidationProblem(new Dictionary<string, string[]> { ["refresh_token"] = ["Refresh token is required."] });
    }

    private static async Task<IResult> MeAsync(ClaimsPrincipal user, AuthService auth, CancellationToken ct)
    {
        var profile = await auth.GetProfileAsync(user.UserId(), ct);
        return profile is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found") : Results.Ok(profile);
    }

    /// <summary>The token pair; a web client gets its refresh token as the HttpOnly cookie instead of in the body.</summary>
    private static TokenResponse Tokens(HttpContext http, AuthSession session)
    {
        if (!RefreshCookie.IsWebClient(http.Request))
        {
            return new(session.AccessToken, "Bearer", session.ExpiresIn, session.RefreshToken, session.User);
        }
        RefreshCookie.Write(http, session.RefreshToken);
        return new(session.AccessToken, "Bearer", session.ExpiresIn, null, session.User);
    }

    private static IResult InvalidCredentials() =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
            detail: "The email or password is wrong, or the account is not active.");

    internal static IResult TooManyAttempts(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed login attempts",
            detail: $"Try again in {seconds} seconds.", type: "https://www.rfc-editor.org/rfc/rfc6585#section-4");
    }
}
