using Dapper;
using Nexus.Core.Auth;
using Npgsql;

namespace Nexus.Core.DataSets;

/// <summary>The active demo accounts, one per role (three talleres and three bodegas). Only data-set seeding creates them.</summary>
public static class DemoAccounts
{
    public const string Password = "Demo-Nexus-2026!";

    public sealed record DemoAccount(string Email, string Role, string Name, string BusinessName, string Phone, string Address);

    public static readonly DemoAccount[] All =
    [
        new("admin@nexus.demo", Roles.Admin, "Administración Nexus", "Nexus Autoparts", "+52 33 1000 0001", "Av. Vallarta 1000, Guadalajara, Jal."),
        new("owner@nexus.demo", Roles.Owner, "Mariana Ortega", "Nexus Autoparts", "+52 33 1000 0002", "Av. Vallarta 1000, Guadalajara, Jal."),
        new("taller1@nexus.demo", Roles.Taller, "Jorge Hernández", "Taller Mecánico Hernández", "+52 33 2000 0001", "Calle Industria 45, Zapopan, Jal."),
        new("taller2@nexus.demo", Roles.Taller, "Lucía Ramírez", "Servicio Automotriz Ramírez", "+52 81 2000 0002", "Av. Constitución 210, Monterrey, N.L."),
        new("taller3@nexus.demo", Roles.Taller, "Pedro Sánchez", "Frenos y Suspensiones Sánchez", "+52 55 2000 0003", "Calz. de Tlalpan 1500, CDMX"),
        new("bodega1@nexus.demo", Roles.Bodega, "Ricardo Gómez", "BODEGA CENTRAL MX", "+52 33 3000 0001", "Periférico Sur 5000, Guadalajara, Jal."),
        new("bodega2@nexus.demo", Roles.Bodega, "Ana Treviño", "REFACCIONES DEL NORTE", "+52 81 3000 0002", "Av. Ruiz Cortines 800, Monterrey, N.L."),
        new("bodega3@nexus.demo", Roles.Bodega, "Luis Martínez", "AUTOPARTES VALLE DE MÉXICO", "+52 55 3000 0003", "Av. Insurgentes Norte 900, CDMX"),
    ];

    // bcrypt at cost 12 takes ~0.25 s; one hash serves every demo account (they share the password anyway).
    private static readonly Lazy<string> PasswordHash = new(() => PasswordHasher.Hash(Password, PasswordHasher.MinimumWorkFactor));

    /// <summary>Creates the accounts that do not exist yet (by e-mail, case-insensitive); returns how many were created.</summary>
    public static async Task<int> EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO users (name_user, email, pass, id_rol, business_name, phone, address, is_active, created_at)
            VALUES (@Name, @Email, @Hash, @RoleId, @BusinessName, @Phone, @Address, true, '2026-03-15T12:00:00Z')
            ON CONFLICT ((lower(email))) DO NOTHING
            """;
        var created = 0;
        foreach (var account in All)
        {
            created += await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                account.Name,
                account.Email,
                Hash = PasswordHash.Value,
                RoleId = Roles.IdOf(account.Role),
                account.BusinessName,
                account.Phone,
                account.Address,
            }, transaction, cancellationToken: ct));
        }
        return created;
    }
}
