using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Nexus.Functions.Hosting;

namespace Nexus.Tests.Queues;

/// <summary>What a test queue function saw: every invocation, and every OnPoison call.</summary>
public sealed class InvocationRecorder
{
    private readonly ConcurrentQueue<QueueInvocation> _invocations = new();
    private readonly ConcurrentQueue<(QueueInvocation Invocation, Exception Failure)> _poisoned = new();

    public IReadOnlyList<QueueInvocation> Invocations => [.. _invocations];
    public IReadOnlyList<(QueueInvocation Invocation, Exception Failure)> Poisoned => [.. _poisoned];

    public void Record(QueueInvocation invocation) => _invocations.Enqueue(invocation);

    public Task RecordPoison(IServiceProvider services, QueueInvocation invocation, Exception failure, CancellationToken cancellationToken)
    {
        _poisoned.Enqueue((invocation, failure));
        return Task.CompletedTask;
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> State);

/// <summary>Keeps the structured log entries of the categories it is enabled for, in order.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            entries.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values.ToDictionary(kv => kv.Key, kv => kv.Value)));
        }
    }
}

public static class Eventually
{
    /// <summary>Polls until the condition holds; the timeout is a generous upper bound, not a timing assertion.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeoutSeconds} s waiting for: {what}");
            }
            await Task.Delay(50);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, int timeoutSeconds = 20) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeoutSeconds);

    /// <summary>Visible plus invisible messages, so a message being processed still counts.</summary>
    public static async Task<int> CountAsync(QueueClient queue) =>
        (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
}
