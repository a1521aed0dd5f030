namespace Nexus.Functions.Hosting;

/// <summary>Standalone mode: starts one <see cref="QueueListener"/> per registered queue function and stops them together.</summary>
public sealed class QueueListeners(IEnumerable<QueueFunction> functions, IServiceProvider services) : IHostedService, IDisposable
{
    private readonly List<QueueListener> _listeners = [];

    public IReadOnlyList<QueueListener> Listeners => _listeners;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var function in functions)
        {
            var listener = ActivatorUtilities.CreateInstance<QueueListener>(services, function);
            _listeners.Add(listener);
            await listener.StartAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_listeners.Select(listener => listener.StopAsync(cancellationToken)));

    // Called twice: the container tracks this instance both as itself and as the hosted service.
    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
        _listeners.Clear();
    }
}
