using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Nexus.Core.Database;
using Nexus.Core.Storage;
using Nexus.Core.Workers;

namespace Nexus.Functions.Hosting;

public static class Startup
{
    /// <summary>Names this worker in the log, applies migrations, creates queues and containers, and loads the demo data when asked.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Nexus.Startup");
        logger.LogInformation("Starting worker {WorkerId} ({HostingMode})", app.Services.GetRequiredService<WorkerIdentity>().Name,
            app.Services.GetRequiredService<QueueHostingMode>().CustomHandler ? "custom handler" : "standalone");
        var database = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        DatabaseMigrator.Migrate(database.ConnectionString, logger);

        var storage = app.Services.GetRequiredService<NexusStorage>();
        foreach (var queue in new[] { NexusStorage.InventoryUploadsQueue, NexusStorage.AftermarketMigrationQueue, NexusStorage.CatalogImportQueue })
        {
            await storage.Queue(queue).CreateIfNotExistsAsync();
            await storage.Queue(queue + "-poison").CreateIfNotExistsAsync();
        }
        await storage.Container(NexusStorage.UploadsContainer).CreateIfNotExistsAsync();
        if (app.Services.GetRequiredService<IOptions<StorageOptions>>().Value.BrowserUploadOrigins is { Length: > 0 } origins
            && await BrowserUploadCors.EnsureAsync(storage.Blobs, origins, app.Lifetime.ApplicationStopping))
        {
            logger.LogInformation("Blob CORS rule added for browser uploads from {Origins}", origins);
        }

        if (app.Services.GetRequiredService<IOptions<NexusOptions>>().Value.SeedDemo)
        {
            await app.SeedDemoDataAsync(logger);
        }
    }

    public static WebApplication UseNexusWebRoot(this WebApplication app)
    {
        var configured = app.Services.GetRequiredService<IOptions<NexusOptions>>().Value.WebRoot;
        var root = configured ?? Path.GetFullPath(Path.Combine(app.Environment.ContentRootPath, "..", "web"));
        if (!Directory.Exists(root))
        {
            return app;
        }
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
