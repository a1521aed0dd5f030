using Nexus.Core.Aftermarket;
using Nexus.Core.Storage;
using Nexus.Functions.Hosting;

namespace Nexus.Functions.Aftermarket;

/// <summary>The queue function that runs one migration batch per message (see Functions/AftermarketMigrationBatch).</summary>
public static class AftermarketMigrationFunction
{
    public const string Name = "AftermarketMigrationBatch";

    public static QueueFunction Definition { get; } = new(Name, NexusStorage.AftermarketMigrationQueue, HandleAsync, OnPoisonAsync);

    private static Task HandleAsync(IServiceProvider services, QueueInvocation invocation, CancellationToken cancellationToken) =>
        services.GetRequiredService<AftermarketBatchWorker>().ProcessAsync(AftermarketMigrationQueue.Parse(invocation.Body), cancellationToken);

    private static Task OnPoisonAsync(IServiceProvider services, QueueInvocation invocation, Exception error, CancellationToken cancellationToken)
    {
        MigrationBatchMessage message;
        try
        {
            message = AftermarketMigrationQueue.Parse(invocation.Body);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(Name)
                .LogError(e, "Poison message {MessageId} on {QueueName} is not a migration batch", invocation.MessageId, invocation.QueueName);
            return Task.CompletedTask;
        }
        var reason = $"{error.GetType().Name}: {error.Message} (after {invocation.DequeueCount} attempts)";
        return services.GetRequiredService<AftermarketBatchWorker>().MarkFailedAsync(message, reason, cancellationToken);
    }
}
