namespace Nexus.Core.Auth;

/// <summary>A user as the API shows it; never carries the password hash.</summary>
public sealed record UserProfile(
    int UserId,
    string Name,
    string Email,
    string Role,
    string? BusinessName,
    string? Phone,
    string? Address,
    bool IsActive,
    DateTime CreatedAt,
    DateTime? LastLogin)
{
    /// <summary>Columns in the order of the constructor; join roles r on users u.</summary>
    public const string Columns = """
        u.id_user AS user_id, u.name_user AS name, u.email, r.name_rol AS role, u.business_name,
        u.phone, u.address, u.is_active, u.created_at, u.last_login
        """;
}

/// <summary>What login and refresh hand back: a short access token and a one-time refresh token.</summary>
public sealed record AuthSession(string AccessToken, int ExpiresIn, string RefreshToken, UserProfile User);
