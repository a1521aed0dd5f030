using Nexus.Core.Aftermarket;
using Nexus.Functions.Aftermarket;

namespace Nexus.Functions.Hosting;

public static class Features
{
    /// <summary>The Nexus.Core services of every feature, and the queue functions.</summary>
    public static IServiceCollection AddNexusFeatures(this IServiceCollection services)
    {
        services.AddAftermarketMigration().AddQueueFunction(AftermarketMigrationFunction.Definition);
        return services;
    }

    public static Task SeedDemoDataAsync(this WebApplication app, ILogger logger)
    {
        logger.LogInformation("Demo seed requested");
        return Task.CompletedTask;
    }
}
