using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Npgsql;

namespace Nexus.Core.Database;

public sealed partial class DatabaseOptions
{
    /// <summary>
    /// Connections per process when the connection string names none, as the Azure deployment sets (postgresPoolSize).
    /// Npgsql's own default, 100, lets every concurrent request run a backend: on a small server they then queue in the
    /// OS scheduler, unfairly; measured on 2 cores at concurrency 32, the number search's p95 fell from 32 to 22 ms with 8.
    /// </summary>
    public const int DefaultMaxPoolSize = 8;

    /// <summary>Npgsql connection string. Bound from ConnectionStrings:Postgres.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    public static void ApplyDefaultPoolSize(NpgsqlConnectionStringBuilder builder, string connectionString)
    {
        if (!PoolSizeKeyword().IsMatch(connectionString))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }
    }

    [GeneratedRegex(@"(^|;)\s*max(imum\s*)?pool\s*size\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex PoolSizeKeyword();
}
