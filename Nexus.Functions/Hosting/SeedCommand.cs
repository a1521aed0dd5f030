using Nexus.Core.Database;
using Nexus.Core.DataSets;
using Npgsql;

namespace Nexus.Functions.Hosting;

/// <summary>`dotnet Nexus.Functions.dll seed demo|full`: applies migrations, loads the data set, prints one summary line, exits.</summary>
public static class SeedCommand
{
    public static bool IsInvoked(string[] args) => args is ["seed", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["seed", var sizeName, ..] || !Enum.TryParse<DataSetSize>(sizeName, ignoreCase: true, out var size))
        {
            await Console.Error.WriteLineAsync("usage: Nexus.Functions seed demo|full   (connection string from ConnectionStrings__Postgres)");
            return 2;
        }

        var builder = WebApplication.CreateBuilder(args[2..]);
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggers.CreateLogger("Nexus.Seed");
        var connectionString = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:Postgres is not set (e.g. ConnectionStrings__Postgres).");
            return 2;
        }

        DatabaseMigrator.Migrate(connectionString, logger);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var summary = await DataSetGenerator.SeedAsync(dataSource, DataSetShape.For(size), logger);
        Console.WriteLine($"Seeded {summary}");
        return 0;
    }
}
