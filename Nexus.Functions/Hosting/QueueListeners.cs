namespace Nexus.Functions.Hosting;

/// <summary>Standalone mode: starts one <see cref="QueueListener"/> per registered queue function and stops them together.</summary>
public sealed class QueueListeners(IEnumerable<QueueFunction> functions, IServiceProvider services) : IHostedService, IDisposable
{
    // Start, stop and dispose may overlap when a host is torn down while starting: all of them work on snapshots.
    private readonly Lock _gate = new();
    private readonly List<QueueListener> _listeners = [];

    public IReadOnlyList<QueueListener> Listeners => Snapshot();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var function in functions)
        {
            var listener = ActivatorUtilities.CreateInstance<QueueListener>(services, function);
            lock (_gate)
            {
                _listeners.Add(listener);
            }
            await listener.StartAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Snapshot().Select(listener => listener.StopAsync(cancellationToken)));

    // Called twice: the container tracks this instance both as itself and as the hosted service.
    public void Dispose()
    {
        QueueListener[] listeners;
        lock (_gate)
        {
            listeners = [.. _listeners];
            _listeners.Clear();
        }
        foreach (var listener in listeners)
        {
            listener.Dispose();
        }
    }

    private QueueListener[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _listeners];
        }
    }
}
