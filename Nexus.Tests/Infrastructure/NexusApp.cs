using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Tests.Infrastructure;

/// <summary>The real host (Program) in memory, wired to a private database and a private set of Azurite queues and containers.</summary>
/// <param name="storagePrefix">Given, several apps share one set of queues (workers of one deployment); default: a new prefix.</param>
/// <param name="testServices">Extra registrations after the app's own (e.g. a capturing logger provider).</param>
public sealed class NexusApp(
    TestDatabase database,
    IReadOnlyDictionary<string, string?>? settings = null,
    string? storagePrefix = null,
    Action<IServiceCollection>? testServices = null) : WebApplicationFactory<Program>
{
    public TestDatabase Database { get; } = database;

    /// <summary>Unique per app, so parallel test classes never see each other's queue messages or blobs.</summary>
    public string StoragePrefix { get; } = storagePrefix ?? NewStoragePrefix();

    public static string NewStoragePrefix() => $"t{Guid.NewGuid():N}"[..9] + "-";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Postgres", Database.ConnectionString);
        builder.UseSetting("ConnectionStrings:Storage", TestEnvironment.Storage);
        builder.UseSetting("Storage:NamePrefix", StoragePrefix);
        builder.UseSetting("Jwt:SigningKey", TestEnvironment.JwtSigningKey);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }
}
