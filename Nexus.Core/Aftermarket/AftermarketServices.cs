using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Core.Aftermarket;

public static class AftermarketServices
{
    public static IServiceCollection AddAftermarketMigration(this IServiceCollection services)
    {
        services.AddSingleton<AftermarketMigrationQueue>();
        services.AddSingleton<AftermarketMigrationPlanner>();
        services.AddSingleton<AftermarketBatchWorker>();
        services.AddSingleton<AftermarketMigrationQueries>();
        services.AddSingleton<AftermarketRevert>();
        services.AddSingleton<AftermarketAlternatives>();
        return services;
    }
}
