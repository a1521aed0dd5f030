using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Database;

public sealed class DatabaseOptions
{
    /// <summary>Npgsql connection string. Bound from ConnectionStrings:Postgres.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";
}
