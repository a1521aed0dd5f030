using Nexus.Core.Aftermarket;
using Nexus.Core.Catalog;
using Nexus.Core.CatalogImport;
using Nexus.Core.DataSets;
using Nexus.Core.Inventory;
using Nexus.Core.Storage;
using Nexus.Functions.Aftermarket;
using Nexus.Functions.Auth;
using Npgsql;

namespace Nexus.Functions.Hosting;

public static class Features
{
    /// <summary>The Nexus.Core services of every feature, and the queue functions.</summary>
    public static IServiceCollection AddNexusFeatures(this IServiceCollection services)
    {
        services.AddAccounts();
        services.AddSingleton<CatalogQueries>();
        services.AddInventory();
        services.AddAftermarketMigration().AddQueueFunction(AftermarketMigrationFunction.Definition);
        services.AddCatalogImport().AddQueueFunction(new QueueFunction("CatalogImport", NexusStorage.CatalogImportQueue,
            (sp, invocation, ct) => sp.GetRequiredService<CatalogImportProcessor>().HandleMessageAsync(invocation.Body, ct),
            (sp, invocation, error, ct) => sp.GetRequiredService<CatalogImportProcessor>().HandlePoisonAsync(invocation.Body, error, invocation.DequeueCount, ct)));
        return services;
    }

    private static IServiceCollection AddInventory(this IServiceCollection services)
    {
        services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<InventoryUploads>();
        services.AddSingleton<InventoryUploadProcessor>();
        services.AddSingleton<InventoryUploadIntake>();
        services.AddSingleton<InventoryUploadHistory>();
        services.AddSingleton<InventoryMappings>();
        services.AddSingleton<InventoryPreview>();
        services.AddSingleton<InventoryItems>();
        services.AddSingleton<PartAvailability>();
        services.AddQueueFunction(new QueueFunction("InventoryUpload", NexusStorage.InventoryUploadsQueue,
            (sp, invocation, ct) => sp.GetRequiredService<InventoryUploadProcessor>().HandleMessageAsync(invocation.Body, ct),
            (sp, invocation, error, ct) => sp.GetRequiredService<InventoryUploadProcessor>().HandlePoisonAsync(invocation.Body, error, ct)));
        return services;
    }

    public static async Task SeedDemoDataAsync(this WebApplication app, ILogger logger)
    {
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        await DataSetGenerator.SeedAsync(dataSource, DataSetShape.Demo, logger, app.Lifetime.ApplicationStopping);
    }
}
