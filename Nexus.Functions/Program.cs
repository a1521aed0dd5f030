using Nexus.Functions.Admin;
using Nexus.Functions.Auth;
using Nexus.Functions.Catalog;
using Nexus.Functions.Health;
using Nexus.Functions.Hosting;
using Nexus.Functions.Inventory;

var builder = WebApplication.CreateBuilder(args);
builder.AddNexusServices();

var app = builder.Build();
await app.PrepareDatabaseAsync();
app.UseNexusPipeline();

app.MapHealthEndpoints();
app.MapCatalogEndpoints();
app.MapAuthEndpoints();
app.MapAdminEndpoints();
app.MapInventoryEndpoints();
app.MapAvailabilityEndpoints();
app.MapQueueFunctionInvocations();

app.Run();

public partial class Program;
