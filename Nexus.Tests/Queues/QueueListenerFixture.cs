using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexus.Core.Storage;
using Nexus.Functions.Hosting;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Queues;

/// <summary>
/// One standalone host (real Program, real Azurite) with test-only queue functions, each on its own queue,
/// and small queue settings so retries, leases and back-off play out in seconds.
/// </summary>
[CollectionDefinition(Name)]
public sealed class QueueListenerCollection : ICollectionFixture<QueueListenerFixture>
{
    public const string Name = "Queue listeners";
}

public sealed class QueueListenerFixture : IAsyncLifetime
{
    public const int MaxDequeueCount = 3;
    public static readonly TimeSpan MaxPollingInterval = TimeSpan.FromMilliseconds(400);
    public static readonly TimeSpan SlowHandlerRuns = TimeSpan.FromSeconds(4.5);

    private TestDatabase _database = null!;
    private NexusApp _app = null!;

    public WebApplicationFactory<Program> Host { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();

    public InvocationRecorder Echo { get; } = new();
    public InvocationRecorder Flaky { get; } = new();
    public InvocationRecorder Slow { get; } = new();
    public InvocationRecorder Overlap { get; } = new();
    public InvocationRecorder Idle { get; } = new();
    public InvocationRecorder Woken { get; } = new();

    /// <summary>Per message id, how many handler runs are in progress right now; any value above 1 is an overlap.</summary>
    public ConcurrentDictionary<string, int> OverlapActive { get; } = new();
    private int _overlapsSeen;
    public int OverlapsSeen => Volatile.Read(ref _overlapsSeen);

    public QueueListenerFixture()
    {
        EchoFunction = new("QtEcho", "qt-echo", (_, m, _) =>
        {
            Echo.Record(m);
            return Task.CompletedTask;
        });
        FlakyFunction = new("QtFlaky", "qt-flaky", (_, m, _) =>
        {
            Flaky.Record(m);
            throw new InvalidOperationException("the handler always fails");
        }, Flaky.RecordPoison);
        SlowFunction = new("QtSlow", "qt-slow", async (_, m, ct) =>
        {
            Slow.Record(m);
            await Task.Delay(SlowHandlerRuns, ct);
        });
        OverlapFunction = new("QtOverlap", "qt-overlap", async (_, m, _) =>
        {
            if (OverlapActive.AddOrUpdate(m.MessageId, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref _overlapsSeen);
            }
            await Task.Delay(Random.Shared.Next(20, 80));
            OverlapActive.AddOrUpdate(m.MessageId, 0, (_, n) => n - 1);
            Overlap.Record(m);
        });
        IdleFunction = new("QtIdle", "qt-idle", (_, m, _) =>
        {
            Idle.Record(m);
            return Task.CompletedTask;
        });
        WokenFunction = new("QtWoken", "qt-woken", (_, m, _) =>
        {
            Woken.Record(m);
            return Task.CompletedTask;
        });
    }

    public QueueFunction EchoFunction { get; }
    public QueueFunction FlakyFunction { get; }
    public QueueFunction SlowFunction { get; }
    public QueueFunction OverlapFunction { get; }
    public QueueFunction IdleFunction { get; }
    public QueueFunction WokenFunction { get; }

    public IReadOnlyList<QueueFunction> Functions => [EchoFunction, FlakyFunction, SlowFunction, OverlapFunction, IdleFunction, WokenFunction];

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new NexusApp(_database, new Dictionary<string, string?>
        {
            ["Queues:MaxDequeueCount"] = MaxDequeueCount.ToString(),
            ["Queues:VisibilityTimeout"] = "00:00:00",
            ["Queues:MaxPollingInterval"] = MaxPollingInterval.ToString(),
            ["Queues:LeaseDuration"] = "00:00:02",
            ["Queues:RenewInterval"] = "00:00:00.5",
        });
        Host = _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            foreach (var function in Functions)
            {
                services.AddQueueFunction(function);
            }
            services.AddSingleton<ILoggerProvider>(Logs);
            services.Configure<LoggerFilterOptions>(o => o.AddFilter<CapturingLoggerProvider>(typeof(QueueListener).FullName, LogLevel.Debug));
        }));
        _ = Host.Services; // starts the host, and with it the listeners
        // The listeners create their queues too, but a test may send before its listener got that far.
        foreach (var function in Functions)
        {
            await Queue(function.QueueName).CreateIfNotExistsAsync();
            await Queue(function.QueueName + "-poison").CreateIfNotExistsAsync();
        }
    }

    public QueueClient Queue(string name) => Host.Services.GetRequiredService<NexusStorage>().Queue(name);

    public async Task DisposeAsync()
    {
        var storage = Host.Services.GetRequiredService<NexusStorage>();
        await Host.DisposeAsync();
        await foreach (var queue in storage.Queues.GetQueuesAsync(prefix: _app.StoragePrefix))
        {
            await storage.Queues.DeleteQueueAsync(queue.Name);
        }
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
