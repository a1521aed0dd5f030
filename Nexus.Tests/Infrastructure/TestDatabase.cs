using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Core.Database;
using Npgsql;

namespace Nexus.Tests.Infrastructure;

/// <summary>
/// A private database per test class, cloned from a template that is migrated (and seeded) once per test run,
/// so every class starts from the same known state in milliseconds.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static readonly Dictionary<string, string> Templates = [];

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = NexusDataSource.Create(connectionString);
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    /// <param name="seed">Fills the template after migration (e.g. the demo data set); null for an empty catalog.</param>
    public static async Task<TestDatabase> CreateAsync(string templateName = "empty", Func<NpgsqlDataSource, Task>? seed = null)
    {
        var template = await EnsureTemplateAsync(templateName, seed);
        var name = $"t_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin))
        {
            await admin.ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        }
        return new TestDatabase(name, ConnectionStringFor(name));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static async Task<string> EnsureTemplateAsync(string templateName, Func<NpgsqlDataSource, Task>? seed)
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (Templates.TryGetValue(templateName, out var existing))
            {
                return existing;
            }
            var name = $"tpl_{templateName}_{Environment.ProcessId}";
            await using (var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin))
            {
                await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                await admin.ExecuteAsync($"CREATE DATABASE {name}");
            }
            var connectionString = ConnectionStringFor(name);
            DatabaseMigrator.Migrate(connectionString, NullLogger.Instance);
            if (seed is not null)
            {
                await using var dataSource = NpgsqlDataSource.Create(connectionString);
                await seed(dataSource);
            }
            // A template must have no open connections when it is cloned.
            NpgsqlConnection.ClearAllPools();
            Templates[templateName] = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = database }.ConnectionString;
}
