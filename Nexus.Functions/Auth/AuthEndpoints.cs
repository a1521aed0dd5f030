using System.Globalization;
using System.Security.Claims;
using Nexus.Core.Auth;

namespace Nexus.Functions.Auth;

public static class AuthEndpoints
{
    public sealed record RegisterBody(string? Name, string? Email, string? Password, string? Role, string? BusinessName, string? Phone, string? Address);

    public sealed record LoginBody(string? Email, string? Password);

    public sealed record RefreshBody(string? RefreshToken);

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, UserProfile User);

    public sealed record RegisterResponse(string Status, string Message);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/register", RegisterAsync).AllowAnonymous();
        group.MapPost("/login", LoginAsync).AllowAnonymous();
        // The refresh token is the credential here: the access token may well have expired already.
        group.MapPost("/refresh", RefreshAsync).AllowAnonymous();
        group.MapPost("/logout", LogoutAsync).AllowAnonymous();
        group.MapGet("/me", MeAsync).RequireAuthorization();
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
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return await auth.LoginAsync(body.Email!, body.Password!, address, ct) switch
        {
            LoginResult.Success success => Results.Ok(Tokens(success.Session)),
            LoginResult.Throttled throttled => TooManyAttempts(http, throttled.RetryAfter),
            _ => InvalidCredentials(),
        };
    }

    private static async Task<IResult> RefreshAsync(RefreshBody body, AuthService auth, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.RefreshToken))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["refresh_token"] = ["Refresh token is required."] });
        }
        var session = await auth.RefreshAsync(body.RefreshToken, ct);
        return session is null
            ? Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid refresh token", detail: "The refresh token is unknown, expired, revoked or already used. Log in again.")
            : Results.Ok(Tokens(session));
    }

    /// <summary>Ends the session family of the refresh token in the body, or else of the caller's access token.</summary>
    private static async Task<IResult> LogoutAsync(RefreshBody? body, AuthService auth, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(body?.RefreshToken))
        {
            await auth.LogoutAsync(body.RefreshToken, ct);
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

    private static TokenResponse Tokens(AuthSession session) =>
        new(session.AccessToken, "Bearer", session.ExpiresIn, session.RefreshToken, session.User);

    private static IResult InvalidCredentials() =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials",
            detail: "The email or password is wrong, or the account is not active.");

    private static IResult TooManyAttempts(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed login attempts",
            detail: $"Try again in {seconds} seconds.", type: "https://www.rfc-editor.org/rfc/rfc6585#section-4");
    }
}
