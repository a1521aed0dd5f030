namespace Nexus.Core.Auth;

/// <summary>The spec's roles; ids match the rows of the roles table.</summary>
public static class Roles
{
    public const string Admin = "ADMIN";
    public const string Owner = "OWNER";
    public const string Taller = "TALLER";
    public const string Bodega = "BODEGA";

    public static readonly IReadOnlyList<string> All = [Admin, Owner, Taller, Bodega];

    public static int IdOf(string role) => role switch
    {
        Admin => 1,
        Owner => 2,
        Taller => 3,
        Bodega => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role"),
    };
}
