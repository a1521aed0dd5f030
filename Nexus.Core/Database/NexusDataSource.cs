using Microsoft.Extensions.Logging;
using Npgsql;

namespace Nexus.Core.Database;

/// <summary>The one way the app (and the tests, so they run as it does) builds its <see cref="NpgsqlDataSource"/>.</summary>
public static class NexusDataSource
{
    /// <summary>
    /// A connection going back to the pool is not reset. Npgsql's reset (RESET ALL, DISCARD TEMP and five more statements,
    /// sent ahead of the next query) was a quarter of the database work of a catalog read in bench/load. Nothing here
    /// leaves state on a session: settings are SET LOCAL, advisory locks are transaction locks (the migrator's is on a
    /// connection of its own), and temporary tables are ON COMMIT DROP or dropped by the import that made them.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString, ILoggerFactory? loggerFactory = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }
        return builder.Build();
    }
}
