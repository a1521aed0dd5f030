using Nexus.Core.Catalog;
using Nexus.Core.DataSets;
using Npgsql;

namespace Nexus.Functions.Hosting;

public static class Features
{
    /// <summary>The Nexus.Core services of every feature, and the queue functions.</summary>
    public static IServiceCollection AddNexusFeatures(this IServiceCollection services)
    {
        services.AddSingleton<CatalogQueries>();
        return services;
    }

    public static async Task SeedDemoDataAsync(this WebApplication app, ILogger logger)
    {
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        await DataSetGenerator.SeedAsync(dataSource, DataSetShape.Demo, logger, app.Lifetime.ApplicationStopping);
    }
}
