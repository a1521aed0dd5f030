using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Nexus.Core.Workers;

/// <summary>
/// Dedicated threads for the CPU-heavy part of background jobs (parsing an uploaded file, writing it to COPY), run at a
/// lower scheduling priority (Linux nice +<see cref="NiceIncrement"/>): on a small instance the requests served at the
/// same time get the CPU first, and the job takes what they leave. The threads are never pool threads, whose priority
/// could not be raised again (an unprivileged process can only lower it); they end with their work.
/// </summary>
public static class BackgroundThread
{
    public const int NiceIncrement = 10;

    /// <remarks>
    /// The work runs on a thread of its own at the lower priority, while the task's thread waits for it at normal
    /// priority and completes the task. Completing a task queues its continuation, and the thread pool may start a new
    /// worker thread from the completing thread to run it; on Linux that pool thread would inherit a lowered priority for
    /// good (and an unprivileged process cannot raise it again).
    /// </remarks>
    public static Task<T> Run<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(() =>
        {
            T result = default!;
            ExceptionDispatchInfo? failure = null;
            var worker = new Thread(() =>
            {
                LowerPriority();
                try
                {
                    result = work();
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
            }) { IsBackground = true, Name = "Nexus background work" };
            worker.Start();
            worker.Join();
            failure?.Throw();
            return result;
        }, ct, TaskCreationOptions.LongRunning | TaskCreationOptions.RunContinuationsAsynchronously, TaskScheduler.Default);

    public static Task Run(Action work, CancellationToken ct) =>
        Run(() =>
        {
            work();
            return true;
        }, ct);

    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // On Linux the nice value belongs to the thread (PRIO_PROCESS with a thread id); a failure only leaves it as it was.
        var thread = gettid();
        var current = getpriority(PrioProcess, thread);
        _ = setpriority(PrioProcess, thread, Math.Min(current + NiceIncrement, 19));
    }

    private const int PrioProcess = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int getpriority(int which, int who);

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
