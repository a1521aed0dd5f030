using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth.Mfa;
using Nexus.Core.Database;
using Npgsql;

namespace Nexus.Core.Auth;

/// <summary>Registration, login, refresh-token rotation, logout and the per-request access check.</summary>
public sealed class AuthService(
    NpgsqlDataSource db,
    PasswordHasher passwords,
    BreachedPasswords breached,
    AccessTokenIssuer accessTokens,
    LoginThrottle throttle,
    IOptions<JwtOptions> jwt,
    IOptions<AuthOptions> authOptions,
    TimeProvider clock,
    ILogger<AuthService> logger)
{
    /// <summary>The roles anyone may register as; ADMIN and OWNER accounts are created by an admin.</summary>
    public static readonly IReadOnlyList<string> SelfServiceRoles = [Roles.Taller, Roles.Bodega];

    public async Task<RegisterResult> RegisterAsync(NewUser user, CancellationToken cancellationToken)
    {
        var errors = user.Validate(SelfServiceRoles);
        await breached.ScreenAsync(errors, "password", user.Password, cancellationToken);
        if (errors.Count > 0)
        {
            return new RegisterResult.Invalid(errors);
        }
        // Hashed before the insert whether or not the email exists, so a duplicate takes just as long.
        var hash = passwords.Hash(user.Password);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var id = await UserAccounts.InsertAsync(connection, null, user, hash, active: false, cancellationToken);
        if (id is null)
        {
            logger.LogInformation("Registration for an existing email ignored");
        }
        else
        {
            logger.LogInformation("Registered user {UserId} as {Role}, pending approval", id, user.Role);
        }
        return new RegisterResult.Accepted();
    }

    private sealed record Credentials(int UserId, string Pass, bool IsActive);

    /// <param name="userAgent">The client's User-Agent, kept with the session so that its owner can recognise it.</param>
    public async Task<LoginResult> LoginAsync(string email, string password, string clientAddress, CancellationToken cancellationToken, string? userAgent = null)
    {
        var account = EmailAddress.Normalize(email);
        var (attempt, retryAfter) = await throttle.TryBeginAsync(account, clientAddress, cancellationToken);
        if (attempt is null)
        {
            logger.LogWarning("Login throttled for {ClientAddress}", clientAddress);
            return new LoginResult.Throttled(retryAfter);
        }

        const string sql = """
            SELECT id_user AS user_id, pass, is_active
            FROM users
            WHERE lower(email) = @account
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var credentials = await connection.QuerySingleOrDefaultAsync<Credentials>(new CommandDefinition(sql, new { account }, cancellationToken: cancellationToken));

        // Always one bcrypt verification: unknown, wrong and inactive all cost the same and answer the same.
        var passwordMatches = passwords.Verify(password, credentials?.Pass);
        if (credentials is null || !passwordMatches || !credentials.IsActive)
        {
            logger.LogInformation("Failed login from {ClientAddress}", clientAddress);
            return new LoginResult.InvalidCredentials();
        }
        attempt.Succeeded();

        var newHash = passwords.NeedsRehash(credentials.Pass) ? passwords.Hash(password) : null;
        const string recordLogin = """
            UPDATE users SET last_login = now(), pass = coalesce(@newHash, pass) WHERE id_user = @UserId
            """;
        await connection.ExecuteAsync(new CommandDefinition(recordLogin, new { credentials.UserId, newHash }, cancellationToken: cancellationToken));
        var now = clock.GetUtcNow();
        await KnownLoginAddresses.RecordAsync(connection, credentials.UserId, clientAddress, now,
            now - TimeSpan.FromDays(authOptions.Value.KnownAddressDays), cancellationToken);

        // With MFA on, the password only earns a challenge; Mfa.MfaLogin opens the session once a code is given.
        if (await MfaChallenges.StartIfActiveAsync(connection, credentials.UserId, clock.GetUtcNow(), cancellationToken) is { } challenge)
        {
            logger.LogInformation("User {UserId} gave the right password; MFA code required", credentials.UserId);
            return new LoginResult.MfaRequired(challenge);
        }

        var user = await UserAccounts.FindAsync(connection, credentials.UserId, cancellationToken)
            ?? throw new InvalidOperationException($"User {credentials.UserId} vanished during login.");
        var session = await StartSessionAsync(connection, user, new SessionClient(userAgent, clientAddress), cancellationToken);
        logger.LogInformation("User {UserId} logged in", user.UserId);
        return new LoginResult.Success(session);
    }

    /// <summary>Opens a new session family for an active user and issues its first token pair.</summary>
    public async Task<AuthSession> StartSessionAsync(UserProfile user, CancellationToken cancellationToken, SessionClient? client = null)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await StartSessionAsync(connection, user, client, cancellationToken);
    }

    private async Task<AuthSession> StartSessionAsync(NpgsqlConnection connection, UserProfile user, SessionClient? client, CancellationToken cancellationToken)
    {
        var family = Guid.NewGuid();
        var expiresAt = clock.GetUtcNow() + TimeSpan.FromDays(jwt.Value.RefreshTokenDays);
        var refreshToken = await Sessions.InsertAsync(connection, null, user.UserId, family, expiresAt, cancellationToken, client);
        var access = accessTokens.Issue(user.UserId, user.Role, user.BusinessName, family);
        return new AuthSession(access.Token, access.ExpiresIn, refreshToken, user);
    }

    private sealed record PresentedSession(
        long IdSession, int UserId, Guid FamilyId, DateTime ExpiresAt, DateTime CreatedAt, DateTime? RotatedAt, DateTime? RevokedAt);

    /// <summary>
    /// Rotates a refresh token: the presented one is spent and a new one joins the same family.
    /// Presenting a spent token again is treated as theft and ends the whole family. Null means 401.
    /// </summary>
    public async Task<AuthSession?> RefreshAsync(string refreshToken, CancellationToken cancellationToken, SessionClient? client = null)
    {
        const string findForUpdate = """
            SELECT id_session, user_id, family_id, expires_at, created_at, rotated_at, revoked_at
            FROM sessions
            WHERE refresh_token = @hash
            FOR UPDATE
            """;
        const string spend = """
            UPDATE sessions SET rotated_at = now() WHERE id_session = @IdSession
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var presented = await connection.QuerySingleOrDefaultAsync<PresentedSession>(
            new CommandDefinition(findForUpdate, new { hash = RefreshTokens.HashOf(refreshToken) }, transaction, cancellationToken: cancellationToken));
        if (presented is null || presented.RevokedAt is not null)
        {
            return null;
        }
        if (presented.RotatedAt is not null)
        {
            await Sessions.RevokeFamilyAsync(connection, transaction, presented.FamilyId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogWarning("Refresh token reuse for user {UserId}: session family {FamilyId} revoked", presented.UserId, presented.FamilyId);
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (presented.ExpiresAt <= now)
        {
            return null;
        }
        // Each refresh token is issued at the family's last refresh, so its age is the session's idle time.
        if (presented.CreatedAt <= now - TimeSpan.FromDays(jwt.Value.SessionIdleDays))
        {
            await Sessions.RevokeFamilyAsync(connection, transaction, presented.FamilyId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Idle session family {FamilyId} of user {UserId} ended", presented.FamilyId, presented.UserId);
            return null;
        }
        var user = await UserAccounts.FindAsync(connection, presented.UserId, cancellationToken);
        if (user is not { IsActive: true })
        {
            await Sessions.RevokeFamilyAsync(connection, transaction, presented.FamilyId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        await connection.ExecuteAsync(new CommandDefinition(spend, new { presented.IdSession }, transaction, cancellationToken: cancellationToken));
        // The family keeps its original expiry: rotation never extends a session beyond its absolute lifetime.
        var next = await Sessions.InsertAsync(connection, transaction, user.UserId, presented.FamilyId, presented.ExpiresAt, cancellationToken, client);
        await transaction.CommitAsync(cancellationToken);

        var access = accessTokens.Issue(user.UserId, user.Role, user.BusinessName, presented.FamilyId);
        return new AuthSession(access.Token, access.ExpiresIn, next, user);
    }

    /// <summary>Ends the session family of a refresh token. Unknown tokens are ignored (logout is idempotent).</summary>
    /// <param name="userId">When given, only a family of this user is ended (a login replacing an earlier session).</param>
    public async Task LogoutAsync(string refreshToken, CancellationToken cancellationToken, int? userId = null)
    {
        const string sql = """
            UPDATE sessions SET revoked_at = now()
            WHERE family_id = (SELECT family_id FROM sessions
                               WHERE refresh_token = @hash AND (@userId::int IS NULL OR user_id = @userId))
              AND revoked_at IS NULL
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var ended = await connection.ExecuteAsync(new CommandDefinition(sql, new { hash = RefreshTokens.HashOf(refreshToken), userId }, cancellationToken: cancellationToken));
        logger.LogInformation("Logout revoked {Sessions} sessions", ended);
    }

    /// <summary>Ends the session family named in an access token (logout without the refresh token).</summary>
    public async Task LogoutAsync(int userId, Guid family, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sessions.RevokeFamilyAsync(connection, transaction, family, cancellationToken, userId);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The caller's live sessions (ASVS 7.5.2), the one of <paramref name="current"/> marked and first.</summary>
    public async Task<IReadOnlyList<ActiveSession>> ListSessionsAsync(int userId, Guid current, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await Sessions.ListActiveAsync(connection, userId, current, now, now - TimeSpan.FromDays(jwt.Value.SessionIdleDays), cancellationToken);
    }

    /// <summary>
    /// Ends one session family of the user at once (ASVS 7.5.2, 10.4.9): its refresh tokens stop working and, since every
    /// request checks the family (<see cref="IsAccessCurrentAsync"/>), so do its access tokens. False when the user
    /// has no such live session (unknown, another user's, or already ended).
    /// </summary>
    public async Task<bool> EndSessionAsync(int userId, Guid family, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ended = await Sessions.RevokeFamilyAsync(connection, transaction, family, cancellationToken, userId);
        await transaction.CommitAsync(cancellationToken);
        if (ended > 0)
        {
            logger.LogInformation("User {UserId} ended session family {FamilyId}", userId, family);
        }
        return ended > 0;
    }

    private sealed record AccountPassword(string Email, string Pass, string Name, string? BusinessName);

    /// <summary>
    /// Changes the password of a signed-in user who proves the current one (throttled like a login, so it cannot be
    /// used to guess it) and ends every other session of the account; the calling session goes on.
    /// </summary>
    public async Task<PasswordChangeResult> ChangePasswordAsync(
        int userId, Guid family, string currentPassword, string newPassword, string clientAddress, CancellationToken cancellationToken)
    {
        const string find = "SELECT email, pass, name_user AS name, business_name FROM users WHERE id_user = @userId AND is_active";
        const string update = "UPDATE users SET pass = @hash WHERE id_user = @userId";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var current = await connection.QuerySingleOrDefaultAsync<AccountPassword>(
            new CommandDefinition(find, new { userId }, cancellationToken: cancellationToken));
        if (current is null)
        {
            return new PasswordChangeResult.WrongPassword();
        }
        // Checked before the current password, like a form's own validation: it reveals nothing about the account.
        if (PasswordPolicy.Problem(newPassword, current.Email, current.Name, current.BusinessName) is { } problem)
        {
            return new PasswordChangeResult.Invalid(new Dictionary<string, string[]> { ["new_password"] = [problem] });
        }
        var (attempt, retryAfter) = await throttle.TryBeginAsync(EmailAddress.Normalize(current.Email), clientAddress, cancellationToken);
        if (attempt is null)
        {
            return new PasswordChangeResult.Throttled(retryAfter);
        }
        if (!passwords.Verify(currentPassword, current.Pass))
        {
            logger.LogInformation("Password change of user {UserId} refused: wrong current password", userId);
            return new PasswordChangeResult.WrongPassword();
        }
        attempt.Succeeded();
        // Only now, for the account's holder: nobody else can make the server send lookups through this endpoint.
        if (await breached.ProblemAsync(newPassword, cancellationToken) is { } breachedProblem)
        {
            return new PasswordChangeResult.Invalid(new Dictionary<string, string[]> { ["new_password"] = [breachedProblem] });
        }
        var hash = passwords.Hash(newPassword);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(update, new { userId, hash }, transaction, cancellationToken: cancellationToken));
        var ended = await Sessions.RevokeOtherFamiliesAsync(connection, transaction, userId, family, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("User {UserId} changed the password; {Sessions} other sessions ended", userId, ended);
        return new PasswordChangeResult.Changed();
    }

    public async Task<UserProfile?> GetProfileAsync(int userId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await UserAccounts.FindAsync(connection, userId, cancellationToken);
    }

    /// <summary>
    /// Checked on every authenticated request (ASVS 8.3.2, 7.4.1/7.4.2): the account is still active, still has the
    /// token's role, and the token's session family has not been logged out or revoked. One round trip on indexes.
    /// </summary>
    public async Task<bool> IsAccessCurrentAsync(int userId, string role, Guid family, CancellationToken cancellationToken)
    {
        if (!Roles.All.Contains(role))
        {
            return false;
        }
        const string sql = """
            SELECT EXISTS (
                SELECT 1
                FROM users u
                WHERE u.id_user = @userId
                  AND u.is_active
                  AND u.id_rol = @roleId
                  AND EXISTS (SELECT 1 FROM sessions s
                              WHERE s.family_id = @family AND s.user_id = u.id_user
                                AND s.revoked_at IS NULL AND s.expires_at > now()))
            """;
        // Every signed-in request runs this, so it runs prepared (it has one plan whatever the values).
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Prepared(sql, null,
            new NpgsqlParameter<int>("userId", userId),
            new NpgsqlParameter<int>("roleId", Roles.IdOf(role)),
            new NpgsqlParameter<Guid>("family", family));
        await using var reader = await command.ExecutePreparedReaderAsync(cancellationToken);
        return (await reader.ReadRowsAsync<bool>(cancellationToken)).Single();
    }
}
