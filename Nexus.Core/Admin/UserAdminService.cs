using Dapper;
using Microsoft.Extensions.Logging;
using Nexus.Core.Auth;
using Npgsql;

namespace Nexus.Core.Admin;

/// <summary>User management for ADMIN and OWNER: list, approve or deactivate, create accounts directly.</summary>
public sealed class UserAdminService(NpgsqlDataSource db, PasswordHasher passwords, BreachedPasswords breached, ILogger<UserAdminService> logger)
{
    public async Task<UserPage> ListAsync(UserListQuery query, CancellationToken cancellationToken)
    {
        // Pending accounts first (oldest waiting at the top), then active ones.
        const string sql = $"""
            SELECT {UserProfile.Columns}
            FROM users u JOIN roles r ON r.id_rol = u.id_rol
            WHERE (@roleId::int IS NULL OR u.id_rol = @roleId)
              AND (@active::boolean IS NULL OR u.is_active = @active)
            ORDER BY u.is_active, u.created_at, u.id_user
            LIMIT @limit OFFSET @offset
            """;
        const string count = """
            SELECT count(*)
            FROM users u
            WHERE (@roleId::int IS NULL OR u.id_rol = @roleId)
              AND (@active::boolean IS NULL OR u.is_active = @active)
            """;
        var parameters = new
        {
            roleId = query.Role is null ? (int?)null : Roles.IdOf(query.Role),
            active = query.Active,
            limit = query.PageSize,
            offset = (long)(query.Page - 1) * query.PageSize,
        };
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var items = await connection.QueryAsync<UserProfile>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(count, parameters, cancellationToken: cancellationToken));
        return new UserPage(items.AsList(), query.Page, query.PageSize, total);
    }

    public async Task<UserProfile?> GetAsync(int userId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await UserAccounts.FindAsync(connection, userId, cancellationToken);
    }

    /// <summary>Approves or deactivates an account; deactivation ends all its sessions in the same transaction.</summary>
    public async Task<SetActiveResult> SetActiveAsync(int actingUserId, int userId, bool active, CancellationToken cancellationToken)
    {
        if (!active && actingUserId == userId)
        {
            return new SetActiveResult.OwnAccount();
        }
        const string sql = """
            UPDATE users SET is_active = @active WHERE id_user = @userId
            """;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, active }, transaction, cancellationToken: cancellationToken));
        if (updated == 0)
        {
            return new SetActiveResult.NotFound();
        }
        var revoked = active ? 0 : await Sessions.RevokeAllOfUserAsync(connection, transaction, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        logger.LogInformation("User {UserId} set active={Active} by {ActingUserId}; {Sessions} sessions revoked", userId, active, actingUserId, revoked);
        var user = await UserAccounts.FindAsync(connection, userId, cancellationToken)
            ?? throw new InvalidOperationException($"User {userId} vanished after update.");
        return new SetActiveResult.Updated(user);
    }

    /// <summary>
    /// Ends every session of one user at once without deactivating the account (ASVS 7.4.5): refresh tokens stop working and,
    /// through the per-request session check, so do access tokens. The user may log in again. Null when there is no such user.
    /// </summary>
    public async Task<int?> EndSessionsAsync(int actingUserId, int userId, CancellationToken cancellationToken)
    {
        const string exists = "SELECT EXISTS (SELECT 1 FROM users WHERE id_user = @userId)";
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(exists, new { userId }, transaction, cancellationToken: cancellationToken)))
        {
            return null;
        }
        var ended = await Sessions.RevokeAllOfUserAsync(connection, transaction, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("All {Sessions} sessions of user {UserId} ended by {ActingUserId}", ended, userId, actingUserId);
        return ended;
    }

    /// <summary>Ends every session of every account but the caller's current one (ASVS 7.4.5): everyone else logs in again.</summary>
    public async Task<int> EndAllSessionsAsync(int actingUserId, Guid keep, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ended = await Sessions.RevokeAllButAsync(connection, transaction, keep, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogWarning("All sessions ended by {ActingUserId}: {Sessions} sessions", actingUserId, ended);
        return ended;
    }

    /// <summary>Creates an account that is active at once. Only ADMIN or OWNER may create ADMIN or OWNER accounts.</summary>
    public async Task<CreateUserResult> CreateAsync(string actingRole, NewUser user, CancellationToken cancellationToken)
    {
        var errors = user.Validate(Roles.All);
        await breached.ScreenAsync(errors, "password", user.Password, cancellationToken);
        if (errors.Count > 0)
        {
            return new CreateUserResult.Invalid(errors);
        }
        var privileged = user.Role is Roles.Admin or Roles.Owner;
        if (privileged && actingRole is not (Roles.Admin or Roles.Owner))
        {
            return new CreateUserResult.NotAllowed("Only ADMIN or OWNER may create ADMIN or OWNER accounts.");
        }
        var hash = passwords.Hash(user.Password);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var id = await UserAccounts.InsertAsync(connection, null, user, hash, active: true, cancellationToken);
        if (id is null)
        {
            return new CreateUserResult.DuplicateEmail();
        }
        logger.LogInformation("User {UserId} created as {Role} by an {ActingRole}", id, user.Role, actingRole);
        var created = await UserAccounts.FindAsync(connection, id.Value, cancellationToken)
            ?? throw new InvalidOperationException($"User {id} vanished after insert.");
        return new CreateUserResult.Created(created);
    }
}
