using Dapper;
using Npgsql;

namespace Nexus.Core.Auth;

public sealed class DuplicateEmailException(string email) : Exception($"An account with email {email} already exists.");

/// <summary>Creating accounts in the users table; shared by registration, user admin and the demo seed.</summary>
public static class UserAccounts
{
    /// <summary>
    /// Validates, hashes (bcrypt cost 12) and inserts a user of any role. For the demo seed and tools.
    /// Throws <see cref="ArgumentException"/> on invalid input and <see cref="DuplicateEmailException"/> if the email is taken.
    /// </summary>
    public static async Task<int> CreateAsync(NpgsqlConnection connection, NewUser user, bool active, CancellationToken cancellationToken)
    {
        var errors = user.Validate(Roles.All);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors.SelectMany(e => e.Value)), nameof(user));
        }
        var hash = PasswordHasher.Hash(user.Password, PasswordHasher.MinimumWorkFactor);
        return await InsertAsync(connection, null, user, hash, active, cancellationToken)
            ?? throw new DuplicateEmailException(user.Email);
    }

    /// <summary>Inserts an already validated user with a ready bcrypt hash; null when the email is already taken.</summary>
    public static async Task<int?> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, NewUser user, string passwordHash, bool active, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO users (name_user, email, pass, id_rol, business_name, phone, address, is_active)
            VALUES (@Name, @Email, @PasswordHash, @RoleId, @BusinessName, @Phone, @Address, @Active)
            ON CONFLICT ((lower(email))) DO NOTHING
            RETURNING id_user
            """;
        var normalized = user.Normalized();
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(sql, new
        {
            normalized.Name,
            normalized.Email,
            PasswordHash = passwordHash,
            RoleId = Roles.IdOf(normalized.Role),
            normalized.BusinessName,
            normalized.Phone,
            normalized.Address,
            Active = active,
        }, transaction, cancellationToken: cancellationToken));
    }

    public static async Task<UserProfile?> FindAsync(NpgsqlConnection connection, int userId, CancellationToken cancellationToken)
    {
        const string sql = $"""
            SELECT {UserProfile.Columns}
            FROM users u JOIN roles r ON r.id_rol = u.id_rol
            WHERE u.id_user = @userId
            """;
        return await connection.QuerySingleOrDefaultAsync<UserProfile>(new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
    }
}
