namespace Nexus.Functions.Hosting;

/// <summary>One delivery of a queue message to a queue function, in either hosting mode.</summary>
/// <param name="Body">The message text after decoding (base64 or plain).</param>
public sealed record QueueInvocation(string FunctionName, string QueueName, string MessageId, long DequeueCount, DateTimeOffset? InsertedOn, string Body);

/// <summary>
/// A queue-triggered function. <paramref name="Handler"/> throws to fail the invocation (retry, then poison);
/// <paramref name="OnPoison"/> runs once when the last allowed attempt failed, e.g. to mark the job failed.
/// </summary>
public sealed record QueueFunction(
    string Name,
    string QueueName,
    Func<IServiceProvider, QueueInvocation, CancellationToken, Task> Handler,
    Func<IServiceProvider, QueueInvocation, Exception, CancellationToken, Task>? OnPoison = null);
