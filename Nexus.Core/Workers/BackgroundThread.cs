namespace Nexus.Core.Workers;

/// <summary>
/// Dedicated threads for the CPU-heavy, blocking part of background jobs (parsing an uploaded file, writing it to COPY):
/// a million-row parse would hold a pool thread for seconds while the requests served at the same time wait for the pool
/// to inject another. The threads end with their work.
/// They keep the normal priority on purpose. A Linux thread inherits the nice value of the thread that creates it, and
/// the thread pool creates a worker on whichever thread queues work when no worker is idle (completing the job's task
/// does that): a job thread at a lower priority left pool threads at that priority behind, serving requests, and an
/// unprivileged process cannot raise them again.
/// </summary>
public static class BackgroundThread
{
    public static Task<T> Run<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning | TaskCreationOptions.RunContinuationsAsynchronously, TaskScheduler.Default);

    public static Task Run(Action work, CancellationToken ct) =>
        Run(() =>
        {
            work();
            return true;
        }, ct);
}
