using System.Net;
using System.Net.Http.Json;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests;

public sealed class HealthTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private NexusApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new NexusApp(_database);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Health_reports_postgres_and_storage_reachable()
    {
        var response = await _app.CreateClient().GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.Equal("healthy", body!["status"]);
        Assert.Equal("ok", body["postgres"]);
        Assert.Equal("ok", body["storage"]);
    }

    [Fact]
    public async Task Host_refuses_to_start_without_its_database()
    {
        await using var broken = new NexusApp(_database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
        });
        // Migrations run at start-up, so a host without its database must refuse to start at all.
        Assert.ThrowsAny<Exception>(() => broken.CreateClient());
    }

    [Fact]
    public async Task OpenApi_document_is_served()
    {
        var response = await _app.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/api/health", await response.Content.ReadAsStringAsync());
    }
}
