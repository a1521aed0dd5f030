using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using Nexus.Core.Storage;

namespace Nexus.Functions.Hosting;

/// <summary>
/// Standalone mode's queue trigger for one function, with the Functions queue-trigger semantics: batches,
/// at-least-once delivery, invisibility renewed while a handler runs, retry after VisibilityTimeout,
/// `&lt;queue&gt;-poison` after MaxDequeueCount, exponential back-off while the queue is empty.
/// </summary>
public sealed class QueueListener(
    QueueFunction function,
    NexusStorage storage,
    IOptions<QueueHostOptions> options,
    QueueFunctionInvoker invoker,
    ILogger<QueueListener> logger) : BackgroundService
{
    // Cancelled when the host's shutdown timeout runs out: handlers still running are abandoned, and their
    // messages, never deleted, become visible again when their lease ends.
    private readonly CancellationTokenSource _abandon = new();
    private readonly QueueClient _queue = storage.Queue(function.QueueName);
    private readonly QueueClient _poison = storage.Queue(function.QueueName + "-poison");
    private int _disposed;
    // Released when this process enqueues on the queue (NexusStorage.MessageSent): the next poll comes at once.
    private readonly SemaphoreSlim _sent = new(0, 1);

    public QueueFunction Function => function;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Returns once every message in flight is settled, or when the shutdown timeout ends the wait.
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false })
        {
            await _abandon.CancelAsync();
        }
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Cancelled, not disposed: abandoned handlers may still be unwinding and reading its token; it owns no timer.
        _abandon.Cancel();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var running = new List<Task>();
        var pollDelay = QueueHostOptions.MinPollingInterval;
        logger.LogInformation("Listening on queue {QueueName} for {FunctionName}", _queue.Name, function.Name);
        storage.MessageSent += OnMessageSent;
        try
        {
            await EnsureQueuesAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveAll(task => task.IsCompleted);
                if (running.Count >= settings.NewBatchThreshold)
                {
                    await Task.WhenAny(running).WaitAsync(stoppingToken);
                    continue;
                }

                var messages = await ReceiveAsync(settings.BatchSize - running.Count, settings.LeaseDuration, stoppingToken);
                if (messages.Length > 0)
                {
                    pollDelay = QueueHostOptions.MinPollingInterval;
                    running.AddRange(messages.Select(ProcessAsync));
                    continue;
                }
                logger.LogDebug("Queue {QueueName} empty; next poll in {PollDelayMs} ms", _queue.Name, pollDelay.TotalMilliseconds);
                if (await _sent.WaitAsync(pollDelay, stoppingToken))
                {
                    logger.LogDebug("Queue {QueueName} got a message from this process; polling now", _queue.Name);
                    pollDelay = QueueHostOptions.MinPollingInterval;
                    continue;
                }
                pollDelay = TimeSpan.FromTicks(Math.Min(pollDelay.Ticks * 2, settings.MaxPollingInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            storage.MessageSent -= OnMessageSent;
        }
        logger.LogInformation("Stopped fetching from {QueueName}; waiting for {InFlight} message(s) in flight", _queue.Name, running.Count(t => !t.IsCompleted));
        await Task.WhenAll(running);
    }

    private void OnMessageSent(string queueName)
    {
        if (queueName == function.QueueName && _sent.CurrentCount == 0)
        {
            try
            {
                _sent.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another send released it first.
            }
        }
    }

    private async Task EnsureQueuesAsync(CancellationToken cancellationToken)
    {
        var delay = QueueHostOptions.MinPollingInterval;
        while (true)
        {
            try
            {
                await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Cannot create queue {QueueName}; retrying in {RetryDelayMs} ms", _queue.Name, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxPollingInterval.Ticks));
            }
        }
    }

    private async Task<QueueMessage[]> ReceiveAsync(int count, TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            return (await _queue.ReceiveMessagesAsync(count, lease, cancellationToken)).Value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The storage account being unreachable must not end the listener; it polls again after the back-off.
            logger.LogError(ex, "Receiving from {QueueName} failed", _queue.Name);
            return [];
        }
    }

    private async Task ProcessAsync(QueueMessage message)
    {
        var settings = options.Value;
        var invocation = new QueueInvocation(function.Name, function.QueueName, message.MessageId, message.DequeueCount, message.InsertedOn,
            QueueMessageText.Decode(message.Body.ToString(), settings.MessageEncoding));
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["FunctionName"] = function.Name,
            ["MessageId"] = message.MessageId,
            ["DequeueCount"] = message.DequeueCount,
        });
        try
        {
            await Task.Yield(); // the receive loop goes on while this message runs
            Exception? failure = null;
            var lease = new MessageLease(_queue, message, settings.LeaseDuration, settings.RenewInterval, logger, _abandon.Token);
            try
            {
                await invoker.InvokeAsync(function, invocation, _abandon.Token);
            }
            catch (Exception ex) when (!_abandon.IsCancellationRequested)
            {
                failure = ex;
            }
            finally
            {
                await lease.DisposeAsync();
            }
            // Only now, with renewal stopped, is the pop receipt final.
            await SettleAsync(message, invocation, lease.PopReceipt, failure, settings);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            logger.LogWarning("Abandoned {FunctionName} message {MessageId} at shutdown; it will be delivered again", function.Name, message.MessageId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not settle {FunctionName} message {MessageId}; it will be delivered again", function.Name, message.MessageId);
        }
    }

    private async Task SettleAsync(QueueMessage message, QueueInvocation invocation, string popReceipt, Exception? failure, QueueHostOptions settings)
    {
        var token = _abandon.Token;
        if (failure is null)
        {
            await _queue.DeleteMessageAsync(message.MessageId, popReceipt, token);
            logger.LogInformation("Processed {FunctionName} message {MessageId} (attempt {DequeueCount})", function.Name, message.MessageId, message.DequeueCount);
            return;
        }
        if (message.DequeueCount < settings.MaxDequeueCount)
        {
            logger.LogWarning(failure, "{FunctionName} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount}); retrying after {VisibilityTimeout}",
                function.Name, message.MessageId, message.DequeueCount, settings.MaxDequeueCount, settings.VisibilityTimeout);
            await _queue.UpdateMessageAsync(message.MessageId, popReceipt, messageText: null, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: token);
            return;
        }
        logger.LogError(failure, "{FunctionName} failed on message {MessageId} for the last time (attempt {DequeueCount}); moving it to {PoisonQueue}",
            function.Name, message.MessageId, message.DequeueCount, _poison.Name);
        await invoker.PoisonAsync(function, invocation, failure, token);
        await _poison.SendMessageAsync(message.Body, cancellationToken: token);
        await _queue.DeleteMessageAsync(message.MessageId, popReceipt, token);
    }
}
