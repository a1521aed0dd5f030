using Microsoft.Extensions.DependencyInjection;
using Nexus.Functions.Hosting;

namespace Nexus.Tests.Queues;

/// <summary>Stopping a listener: in-flight messages finish, and one cut off by the shutdown timeout is not lost.</summary>
[Collection(QueueListenerCollection.Name)]
public sealed class QueueListenerShutdownTests(QueueListenerFixture fx)
{
    [Fact]
    public async Task Stopping_lets_the_message_in_flight_finish_and_be_deleted()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var function = new QueueFunction("QtDrain", "qt-drain", async (_, _, ct) =>
        {
            started.SetResult();
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            finished = true;
        });
        var queue = fx.Queue(function.QueueName);
        await queue.CreateIfNotExistsAsync();
        using var listener = ActivatorUtilities.CreateInstance<QueueListener>(fx.Host.Services, function);
        await listener.StartAsync(CancellationToken.None);
        await queue.SendMessageAsync("finish me");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await listener.StopAsync(CancellationToken.None);

        Assert.True(finished);
        Assert.Equal(0, await Eventually.CountAsync(queue));
    }

    [Fact]
    public async Task A_message_cut_off_by_the_shutdown_timeout_becomes_visible_again()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var function = new QueueFunction("QtAbandon", "qt-abandon", async (_, _, ct) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), ct);
            }
            finally
            {
                cancelled.SetResult();
            }
        });
        var queue = fx.Queue(function.QueueName);
        await queue.CreateIfNotExistsAsync();
        using var listener = ActivatorUtilities.CreateInstance<QueueListener>(fx.Host.Services, function);
        await listener.StartAsync(CancellationToken.None);
        var sent = (await queue.SendMessageAsync("cut me off")).Value;
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using (var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await listener.StopAsync(shutdownTimeout.Token);
        }
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Never deleted: once the 2 s lease lapses the message is back, on its second delivery.
        Azure.Storage.Queues.Models.QueueMessage? again = null;
        await Eventually.HoldsAsync(async () => (again = (await queue.ReceiveMessageAsync()).Value) is not null, "the message visible again");
        Assert.Equal(sent.MessageId, again!.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.Equal("cut me off", again.Body.ToString());
    }
}
