using Nexus.Functions.Auth;

namespace Nexus.Functions.Hosting;

public static class Features
{
    /// <summary>The Nexus.Core services of every feature, and the queue functions.</summary>
    public static IServiceCollection AddNexusFeatures(this IServiceCollection services)
    {
        services.AddAccounts();
        return services;
    }

    public static Task SeedDemoDataAsync(this WebApplication app, ILogger logger)
    {
        logger.LogInformation("Demo seed requested");
        return Task.CompletedTask;
    }
}
