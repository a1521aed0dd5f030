using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using Nexus.Core.Admin;
using Nexus.Core.Auth;
using Nexus.Core.Auth.Mfa;
using Nexus.Functions.Auth;

namespace Nexus.Functions.Admin;

public static class AdminEndpoints
{
    public sealed record ActivateBody(bool? IsActive);

    /// <summary>How many session families (one per login) an admin's "end sessions" ended.</summary>
    public sealed record EndSessionsResponse(int SessionsEnded);

    /// <summary>
    /// A one-time password reset for the admin to pass to the user out of band: <paramref name="ResetPath"/> is the web
    /// page (relative to the web pages' origin) with the token in its fragment, which browsers never send to a server.
    /// </summary>
    public sealed record PasswordResetResponse(int UserId, string Token, string ResetPath, DateTimeOffset ExpiresAt);

    /// <summary>The page where a user sets a new password with a reset token (<c>web/restablecer.html</c>).</summary>
    public const string ResetPage = "/restablecer.html";

    public sealed record CreateUserBody(string? Name, string? Email, string? Password, string? Role, string? BusinessName, string? Phone, string? Address);

    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Policies.Admin);
        group.MapGet("/users", ListUsersAsync);
        group.MapGet("/users/{id:int}", GetUserAsync);
        group.MapPut("/users/{id:int}/activate", SetActiveAsync);
        group.MapPost("/users", CreateUserAsync);
        group.MapDelete("/users/{id:int}/sessions", EndUserSessionsAsync);
        group.MapDelete("/sessions", EndAllSessionsAsync);
        group.MapPost("/users/{id:int}/password-reset", StartPasswordResetAsync);
        group.MapDelete("/users/{id:int}/mfa", RemoveMfaAsync);
    }

    private static async Task<IResult> ListUsersAsync(
        UserAdminService admin,
        CancellationToken ct,
        [FromQuery] string? role = null,
        [FromQuery] string? status = null,
        [FromQuery] string? page = null,
        [FromQuery(Name = "page_size")] string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (!string.IsNullOrEmpty(role) && !Roles.All.Contains(role))
        {
            errors["role"] = [$"Role must be one of: {string.Join(", ", Roles.All)}."];
        }
        bool? active = status switch
        {
            null or "" => null,
            "pending" => false,
            "active" => true,
            _ => null,
        };
        if (status is not (null or "" or "pending" or "active"))
        {
            errors["status"] = ["Status must be pending or active."];
        }
        var pageNumber = PositiveInt(page, 1, int.MaxValue / UserListQuery.MaxPageSize, "page", errors);
        var size = PositiveInt(pageSize, UserListQuery.DefaultPageSize, UserListQuery.MaxPageSize, "page_size", errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        var query = new UserListQuery(string.IsNullOrEmpty(role) ? null : role, active, pageNumber, size);
        return Results.Ok(await admin.ListAsync(query, ct));
    }

    private static async Task<IResult> GetUserAsync(int id, UserAdminService admin, CancellationToken ct)
    {
        var user = await admin.GetAsync(id, ct);
        return user is null ? UserNotFound(id) : Results.Ok(user);
    }

    private static async Task<IResult> SetActiveAsync(int id, ActivateBody body, UserAdminService admin, ClaimsPrincipal caller, CancellationToken ct)
    {
        if (body.IsActive is not { } active)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["is_active"] = ["is_active (true or false) is required."] });
        }
        return await admin.SetActiveAsync(caller.UserId(), id, active, ct) switch
        {
            SetActiveResult.Updated updated => Results.Ok(updated.User),
            SetActiveResult.OwnAccount => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cannot deactivate your own account"),
            _ => UserNotFound(id),
        };
    }

    /// <summary>Ends every session of one user at once; the account stays active and may log in again (ASVS 7.4.5).</summary>
    private static async Task<IResult> EndUserSessionsAsync(int id, UserAdminService admin, ClaimsPrincipal caller, CancellationToken ct) =>
        await admin.EndSessionsAsync(caller.UserId(), id, ct) is { } ended ? Results.Ok(new EndSessionsResponse(ended)) : UserNotFound(id);

    /// <summary>Ends the sessions of every account but the caller's current session (e.g. after a suspected key or database leak).</summary>
    private static async Task<IResult> EndAllSessionsAsync(UserAdminService admin, ClaimsPrincipal caller, CancellationToken ct) =>
        Results.Ok(new EndSessionsResponse(await admin.EndAllSessionsAsync(caller.UserId(), caller.SessionFamily(), ct)));

    /// <summary>Removes the authenticator of a user who lost it and the recovery codes too (ASVS 6.4.4); ends the user's sessions.</summary>
    private static async Task<IResult> RemoveMfaAsync(int id, MfaService mfa, ClaimsPrincipal caller, CancellationToken ct) =>
        await mfa.RemoveForUserAsync(caller.UserId(), id, ct) switch
        {
            MfaRemovalResult.Removed removed => Results.Ok(new EndSessionsResponse(removed.SessionsEnded)),
            MfaRemovalResult.NotActive => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "MFA is not on",
                detail: $"User {id} has no active two-step verification."),
            MfaRemovalResult.OwnAccount => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Own account",
                detail: "Turn your own two-step verification off on your account page, with your password and a code."),
            _ => UserNotFound(id),
        };

    /// <summary>
    /// Starts a password reset for a user (ASVS 6.4.3, 6.4.6): a one-time token valid for <c>Auth:PasswordResetMinutes</c>,
    /// superseding earlier ones, that the user spends on <c>POST /api/auth/password-reset</c> to choose a new password.
    /// The admin never chooses it; the current password and sessions stay until the user sets the new one.
    /// </summary>
    private static async Task<IResult> StartPasswordResetAsync(
        int id, PasswordResetService resets, ClaimsPrincipal caller, HttpContext http, CancellationToken ct)
    {
        if (await resets.StartAsync(caller.UserId(), id, ct) is not { } link)
        {
            return UserNotFound(id);
        }
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok(new PasswordResetResponse(link.UserId, link.Token, $"{ResetPage}#token={link.Token}", link.ExpiresAt));
    }

    private static async Task<IResult> CreateUserAsync(CreateUserBody body, UserAdminService admin, ClaimsPrincipal caller, CancellationToken ct)
    {
        var user = new NewUser(body.Email ?? "", body.Password ?? "", body.Name ?? "", body.Role ?? "", body.BusinessName, body.Phone, body.Address);
        return await admin.CreateAsync(caller.Role(), user, ct) switch
        {
            CreateUserResult.Created created => Results.Created($"/api/admin/users/{created.User.UserId}", created.User),
            CreateUserResult.Invalid invalid => Results.ValidationProblem(invalid.Errors),
            CreateUserResult.DuplicateEmail => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Email already registered",
                detail: "An account with this email already exists."),
            CreateUserResult.NotAllowed notAllowed => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: notAllowed.Reason),
            var other => throw new InvalidOperationException($"Unexpected result {other}."),
        };
    }

    private static int PositiveInt(string? text, int fallback, int max, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }
        errors[field] = [$"{field} must be a whole number from 1 to {max}."];
        return fallback;
    }

    private static IResult UserNotFound(int id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not found", detail: $"No user with id {id}.");
}
