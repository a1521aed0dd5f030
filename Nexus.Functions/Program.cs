using Nexus.Functions.Admin;
using Nexus.Functions.Aftermarket;
using Nexus.Functions.Auth;
using Nexus.Functions.Catalog;
using Nexus.Functions.CatalogImport;
using Nexus.Functions.Health;
using Nexus.Functions.Hosting;
using Nexus.Functions.Inventory;

if (SeedCommand.IsInvoked(args))
{
    return await SeedCommand.RunAsync(args);
}
if (AftermarketFloorCommand.IsInvoked(args))
{
    return await AftermarketFloorCommand.RunAsync(args);
}
if (BenchCommand.IsInvoked(args))
{
    return await BenchCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddNexusServices();

var app = builder.Build();
await app.PrepareDatabaseAsync();
app.UseNexusPipeline();

app.MapHealthEndpoints();
app.MapCatalogEndpoints();
app.MapAuthEndpoints();
app.MapMfaEndpoints();
app.MapAdminEndpoints();
app.MapInventoryEndpoints();
app.MapAvailabilityEndpoints();
app.MapAftermarketMigrationEndpoints();
app.MapAftermarketAlternativesEndpoints();
app.MapCatalogImportEndpoints();
app.MapQueueFunctionInvocations();

await app.RunAsync();
return 0;

public partial class Program;
