using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nexus.Functions.Hosting;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Queues;

/// <summary>host.json and the function folders the Functions host reads agree with what the app registers and applies.</summary>
public sealed class QueueFunctionFolderTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Queue_settings_come_from_host_json_and_the_Queues_section_overrides_them()
    {
        await using var plain = new NexusApp(_database);
        await using var overridden = new NexusApp(_database, new Dictionary<string, string?> { ["Queues:MaxDequeueCount"] = "2" });

        var fromHostJson = plain.Services.GetRequiredService<IOptions<QueueHostOptions>>().Value;
        Assert.Equal(1, fromHostJson.BatchSize);
        Assert.Equal(1, fromHostJson.NewBatchThreshold);
        Assert.Equal(5, fromHostJson.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(5), fromHostJson.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), fromHostJson.MaxPollingInterval);
        Assert.Equal(QueueMessageBodyEncoding.Base64, fromHostJson.MessageEncoding);

        var withOverride = overridden.Services.GetRequiredService<IOptions<QueueHostOptions>>().Value;
        Assert.Equal(2, withOverride.MaxDequeueCount);
        Assert.Equal(1, withOverride.BatchSize);
    }

    [Fact]
    public async Task Invalid_queue_settings_stop_the_host_at_start()
    {
        await using var broken = new NexusApp(_database, new Dictionary<string, string?> { ["Queues:RenewInterval"] = "00:05:00" });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => broken.CreateClient());
        Assert.Contains("RenewInterval", error.Message);
    }

    [Fact]
    public async Task Two_queue_functions_with_one_name_stop_the_host_at_start()
    {
        await using var app = new NexusApp(_database);
        var twice = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddQueueFunction(new QueueFunction("Twice", "twice-a", (_, _, _) => Task.CompletedTask));
            s.AddQueueFunction(new QueueFunction("Twice", "twice-b", (_, _, _) => Task.CompletedTask));
        }));

        var error = Assert.ThrowsAny<InvalidOperationException>(() => twice.CreateClient());
        Assert.Contains("Twice", error.Message);
    }

    [Fact]
    public async Task Every_registered_queue_function_has_its_function_json_and_every_queue_folder_a_function()
    {
        await using var app = new NexusApp(_database);
        var registered = app.Services.GetServices<QueueFunction>().ToDictionary(f => f.Name, f => f.QueueName);

        var folders = new Dictionary<string, string>();
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "function.json", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(Path.GetDirectoryName(file))!;
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var bindings = json.RootElement.GetProperty("bindings").EnumerateArray().ToList();
            var trigger = bindings.SingleOrDefault(b => b.GetProperty("type").GetString() == "queueTrigger");
            if (trigger.ValueKind == JsonValueKind.Undefined)
            {
                continue;
            }
            Assert.Equal("message", trigger.GetProperty("name").GetString());
            Assert.Equal("Storage", trigger.GetProperty("connection").GetString());
            folders[name] = trigger.GetProperty("queueName").GetString()!;
        }

        Assert.Equal(registered.OrderBy(kv => kv.Key), folders.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void The_Api_function_forwards_every_http_request_and_host_json_declares_the_custom_handler()
    {
        using var api = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Api", "function.json")));
        var bindings = api.RootElement.GetProperty("bindings").EnumerateArray().ToList();
        Assert.Equal(2, bindings.Count);
        var trigger = bindings.Single(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("api/{*path}", trigger.GetProperty("route").GetString());
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Contains("post", trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains(bindings, b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "out");

        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")));
        var handler = host.RootElement.GetProperty("customHandler");
        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
        Assert.Equal("Nexus.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }
}
