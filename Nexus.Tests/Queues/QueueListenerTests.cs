using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Storage;
using Nexus.Functions.Hosting;

namespace Nexus.Tests.Queues;

/// <summary>Standalone mode: the listeners over real Azurite queues.</summary>
[Collection(QueueListenerCollection.Name)]
public sealed class QueueListenerTests(QueueListenerFixture fx)
{
    [Fact]
    public void One_listener_runs_per_registered_queue_function()
    {
        var registered = fx.Host.Services.GetServices<QueueFunction>().Select(f => f.Name).ToList();
        var listeners = fx.Host.Services.GetRequiredService<QueueListeners>().Listeners;
        Assert.Superset(fx.Functions.Select(f => f.Name).ToHashSet(), registered.ToHashSet());
        Assert.Equal(registered.Order(), listeners.Select(l => l.Function.Name).Order());
    }

    [Fact]
    public async Task Plain_and_base64_messages_arrive_decoded_are_processed_once_and_deleted()
    {
        var queue = fx.Queue("qt-echo");
        const string plain = """{"kind":"plain","text":"Balata delantera — ñ"}""";
        const string encodedText = """{"kind":"base64","text":"Amortiguador ñandú"}""";
        var plainReceipt = (await queue.SendMessageAsync(plain)).Value;
        var encodedReceipt = (await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(encodedText)))).Value;

        await Eventually.HoldsAsync(() => fx.Echo.Invocations.Count >= 2, "both messages handled");
        await Eventually.HoldsAsync(async () => await Eventually.CountAsync(queue) == 0, "both messages deleted");

        var byId = fx.Echo.Invocations.ToDictionary(i => i.MessageId);
        Assert.Equal(2, fx.Echo.Invocations.Count);
        Assert.Equal(plain, byId[plainReceipt.MessageId].Body);
        Assert.Equal(encodedText, byId[encodedReceipt.MessageId].Body);
        Assert.All(byId.Values, i =>
        {
            Assert.Equal("QtEcho", i.FunctionName);
            Assert.Equal("qt-echo", i.QueueName);
            Assert.Equal(1, i.DequeueCount);
            Assert.NotNull(i.InsertedOn);
        });
    }

    [Fact]
    public async Task A_failing_message_is_retried_then_moved_to_poison_with_OnPoison_called_once()
    {
        var queue = fx.Queue("qt-flaky");
        var poison = fx.Queue("qt-flaky-poison");
        const string body = "rompe todo";
        var sent = (await queue.SendMessageAsync(body)).Value;

        await Eventually.HoldsAsync(async () => await Eventually.CountAsync(poison) == 1, "message in the poison queue");
        await Eventually.HoldsAsync(async () => await Eventually.CountAsync(queue) == 0, "message gone from its queue");

        Assert.Equal(new long[] { 1, 2, 3 }, fx.Flaky.Invocations.Select(i => i.DequeueCount));
        Assert.All(fx.Flaky.Invocations, i => Assert.Equal(sent.MessageId, i.MessageId));
        var (invocation, failure) = Assert.Single(fx.Flaky.Poisoned);
        Assert.Equal(QueueListenerFixture.MaxDequeueCount, invocation.DequeueCount);
        Assert.IsType<InvalidOperationException>(failure);
        var dead = Assert.Single((await poison.PeekMessagesAsync(10)).Value);
        Assert.Equal(body, dead.Body.ToString());
    }

    [Fact]
    public async Task A_handler_running_longer_than_the_lease_is_not_delivered_again()
    {
        var queue = fx.Queue("qt-slow");
        await queue.SendMessageAsync("""{"slow":true}""");

        await Eventually.HoldsAsync(() => fx.Slow.Invocations.Count >= 1, "slow handler started");
        await Eventually.HoldsAsync(async () => await Eventually.CountAsync(queue) == 0, "slow message completed and deleted");

        // The handler outlived the 2 s lease more than twice over while the listener kept polling every 0.4 s at most.
        var run = Assert.Single(fx.Slow.Invocations);
        Assert.Equal(1, run.DequeueCount);
        Assert.Equal(0, await Eventually.CountAsync(fx.Queue("qt-slow-poison")));
    }

    [Fact]
    public async Task Two_listeners_on_one_queue_process_every_message_exactly_once_and_never_concurrently()
    {
        const int count = 40;
        var queue = fx.Queue("qt-overlap");
        var second = ActivatorUtilities.CreateInstance<QueueListener>(fx.Host.Services, fx.OverlapFunction);
        await second.StartAsync(CancellationToken.None);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => queue.SendMessageAsync($"part-{i}")));

            await Eventually.HoldsAsync(() => fx.Overlap.Invocations.Count >= count, $"{count} messages handled");
            await Eventually.HoldsAsync(async () => await Eventually.CountAsync(queue) == 0, "all messages deleted");
        }
        finally
        {
            await second.StopAsync(CancellationToken.None);
            second.Dispose();
        }

        Assert.Equal(0, fx.OverlapsSeen);
        Assert.Equal(count, fx.Overlap.Invocations.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"part-{i}").Order(), fx.Overlap.Invocations.Select(i => i.Body).Order());
    }

    [Fact]
    public async Task An_empty_queue_is_polled_less_and_less_often_and_a_message_resets_the_back_off()
    {
        var queue = fx.Queue("qt-idle");
        var cap = QueueListenerFixture.MaxPollingInterval.TotalMilliseconds;
        await Eventually.HoldsAsync(() => IdlePollDelays().Count >= 5, "five empty polls");

        Assert.Equal(new[] { 100, 200, cap, cap, cap }, IdlePollDelays().Take(5));

        var pollsBeforeMessage = IdlePollDelays().Count;
        await queue.SendMessageAsync("wake up");
        await Eventually.HoldsAsync(() => fx.Idle.Invocations.Count == 1, "message handled");
        await Eventually.HoldsAsync(() => IdlePollDelays().Skip(pollsBeforeMessage).SkipWhile(d => d != 100).Count() >= 3, "three empty polls after the message");

        Assert.Equal(new[] { 100, 200, cap }, IdlePollDelays().Skip(pollsBeforeMessage).SkipWhile(d => d != 100).Take(3));
    }

    [Fact]
    public async Task A_message_this_process_sends_ends_the_listeners_back_off_wait()
    {
        var storage = fx.Host.Services.GetRequiredService<NexusStorage>();
        await Eventually.HoldsAsync(() => PollDelays("qt-woken").Count >= 3, "three empty polls");
        Assert.Empty(EarlyPolls());

        await storage.SendAsync("qt-woken", "{\"hello\":1}", CancellationToken.None);

        await Eventually.HoldsAsync(() => fx.Woken.Invocations.Count == 1, "message handled");
        Assert.Equal("{\"hello\":1}", fx.Woken.Invocations.Single().Body);
        Assert.Single(EarlyPolls());
    }

    private List<CapturedLog> EarlyPolls() =>
        [.. fx.Logs.Entries.Where(e => OnQueue(e, "qt-woken") && e.Message.Contains("polling now", StringComparison.Ordinal))];

    private static bool OnQueue(CapturedLog e, string queue) =>
        e.State.TryGetValue("QueueName", out var q) && q is string name && name.EndsWith(queue, StringComparison.Ordinal);

    private List<double> IdlePollDelays() => PollDelays("qt-idle");

    /// <summary>The wait a listener logged after each receive that came back empty, in order.</summary>
    private List<double> PollDelays(string queue) =>
        [.. fx.Logs.Entries
            .Where(e => OnQueue(e, queue) && e.State.ContainsKey("PollDelayMs"))
            .Select(e => Convert.ToDouble(e.State["PollDelayMs"]))];
}
