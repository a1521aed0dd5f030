using System.Globalization;
using Nexus.Core.Workers;

namespace Nexus.Tests.Workers;

public sealed class BackgroundThreadTests
{
    [Fact]
    public async Task Work_runs_on_its_own_thread_at_a_lower_priority_and_the_caller_keeps_its_own()
    {
        var before = (ThreadNice(), Environment.CurrentManagedThreadId);

        var inside = await BackgroundThread.Run(() => (ThreadNice(), Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread),
            CancellationToken.None);

        Assert.Equal(Math.Min(before.Item1 + BackgroundThread.NiceIncrement, 19), inside.Item1);
        Assert.NotEqual(before.CurrentManagedThreadId, inside.CurrentManagedThreadId);
        Assert.False(inside.IsThreadPoolThread);
        Assert.Equal(before.Item1, ThreadNice());
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
