using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Core.Database;
using Nexus.Tests.Infrastructure;
using Npgsql;

namespace Nexus.Tests.Database;

public sealed class DatabaseMigratorTests
{
    [Fact]
    public async Task Instances_starting_together_on_an_empty_database_apply_each_script_once()
    {
        var name = $"migrate_race_{Environment.ProcessId}";
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await admin.ExecuteAsync($"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = name }.ConnectionString;
        try
        {
            var instances = Enumerable.Range(0, 3)
                .Select(_ => Task.Run(() => DatabaseMigrator.Migrate(connectionString, NullLogger.Instance)));
            await Task.WhenAll(instances);

            var scripts = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
                .Count(n => n.Contains(".Database.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal));
            await using var connection = new NpgsqlConnection(connectionString);
            var applied = (await connection.QueryAsync<string>("SELECT scriptname FROM schemaversions")).ToList();
            Assert.Equal(scripts, applied.Count);
            Assert.Equal(applied.Count, applied.Distinct().Count());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }
}
