using System.Globalization;
using Nexus.Core.Workers;

namespace Nexus.Tests.Workers;

public sealed class BackgroundThreadTests
{
    [Fact]
    public async Task Work_runs_on_a_thread_of_its_own_at_the_callers_priority()
    {
        var before = (ThreadNice(), Environment.CurrentManagedThreadId);

        var inside = await BackgroundThread.Run(() => (ThreadNice(), Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread),
            CancellationToken.None);

        // Not lowered: pool threads created on a lowered job thread would inherit its priority and keep it.
        Assert.Equal(before.Item1, inside.Item1);
        Assert.NotEqual(before.CurrentManagedThreadId, inside.CurrentManagedThreadId);
        Assert.False(inside.IsThreadPoolThread);
    }

    [Fact]
    public async Task A_failure_reaches_the_caller()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BackgroundThread.Run(() => throw new InvalidOperationException("parse failed"),
            CancellationToken.None));
        Assert.Equal("parse failed", error.Message);
    }

    /// <summary>The calling thread's nice value: field 19 of /proc/thread-self/stat (after the parenthesised name).</summary>
    private static int ThreadNice()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[19 - 3], CultureInfo.InvariantCulture);
    }
}
