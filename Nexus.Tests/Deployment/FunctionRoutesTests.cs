using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Functions.Hosting;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Deployment;

/// <summary>
/// What the Functions host can reach: every API route through the Api function's httpTrigger, and the queue
/// invocation routes (POST /{FunctionName}) only from the host itself, never forwarded from the internet.
/// (QueueFunctionFolderTests checks that registered queue functions and their folders agree.)
/// </summary>
public sealed class FunctionRoutesTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Every_api_route_is_forwarded_by_the_Api_function_and_no_queue_invocation_route_is()
    {
        await using var app = new NexusApp(_database, new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "47072" });
        app.CreateClient().Dispose();
        var queueFunctions = app.Services.GetServices<QueueFunction>().Select(f => f.Name).ToHashSet();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Path: e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods))
            .ToList();
        var (forwardedPrefix, forwardedMethods) = ApiFunction();

        var invocationRoutes = endpoints.Where(e => queueFunctions.Contains(e.Path)).ToList();
        var apiRoutes = endpoints.Except(invocationRoutes).Where(e => !e.Path.StartsWith("openapi/", StringComparison.Ordinal)).ToList();

        Assert.Equal(queueFunctions.Order(), invocationRoutes.Select(e => e.Path).Order());
        Assert.All(invocationRoutes, e => Assert.False(e.Path.StartsWith(forwardedPrefix, StringComparison.Ordinal), $"{e.Path} would be reachable from the internet"));
        Assert.NotEmpty(apiRoutes);
        Assert.All(apiRoutes, e =>
        {
            Assert.StartsWith(forwardedPrefix, e.Path);
            Assert.False(e.Path.StartsWith("admin/", StringComparison.Ordinal) || e.Path.StartsWith("runtime/", StringComparison.Ordinal), $"{e.Path} is the Functions host's own");
            Assert.NotNull(e.Methods);
            Assert.All(e.Methods, m => Assert.Contains(m.ToLowerInvariant(), forwardedMethods));
        });
    }

    /// <summary>The literal part of the Api function's route before its catch-all, and its methods.</summary>
    private static (string Prefix, string[] Methods) ApiFunction()
    {
        using var api = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Api", "function.json")));
        var trigger = api.RootElement.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        var route = trigger.GetProperty("route").GetString()!;
        Assert.EndsWith("{*path}", route);
        return (route[..^"{*path}".Length], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray());
    }
}
