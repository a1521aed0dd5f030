using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Core.CatalogImport;

public static class CatalogImportServices
{
    public static IServiceCollection AddCatalogImport(this IServiceCollection services)
    {
        services.AddOptions<CatalogImportOptions>().BindConfiguration(CatalogImportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CatalogImports>();
        services.AddSingleton<CatalogImportIntake>();
        services.AddSingleton<CatalogImportProcessor>();
        services.AddSingleton<CatalogImportHistory>();
        return services;
    }
}
