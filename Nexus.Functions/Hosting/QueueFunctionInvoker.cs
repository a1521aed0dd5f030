namespace Nexus.Functions.Hosting;

/// <summary>Runs a queue function's handler (and its poison hook) in a DI scope of its own; both hosting modes use it.</summary>
public sealed class QueueFunctionInvoker(IServiceScopeFactory scopes, ILogger<QueueFunctionInvoker> logger)
{
    public async Task InvokeAsync(QueueFunction function, QueueInvocation invocation, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await function.Handler(scope.ServiceProvider, invocation, cancellationToken);
    }

    /// <summary>Runs OnPoison after the last allowed attempt failed. A failing hook is logged, never rethrown: the message is dead-lettered regardless.</summary>
    public async Task PoisonAsync(QueueFunction function, QueueInvocation invocation, Exception failure, CancellationToken cancellationToken)
    {
        if (function.OnPoison is null)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await function.OnPoison(scope.ServiceProvider, invocation, failure, cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "OnPoison of {FunctionName} failed for message {MessageId}", function.Name, invocation.MessageId);
        }
    }
}
