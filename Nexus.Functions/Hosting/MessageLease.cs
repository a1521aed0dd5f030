using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Nexus.Functions.Hosting;

/// <summary>
/// Keeps a received message invisible while its handler runs by pushing its visibility out periodically.
/// Each update returns a new pop receipt, which the final delete or update must use.
/// </summary>
internal sealed class MessageLease : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _renewEvery;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan duration, TimeSpan renewEvery, ILogger logger, CancellationToken abandon)
    {
        _queue = queue;
        _messageId = message.MessageId;
        PopReceipt = message.PopReceipt;
        _duration = duration;
        _renewEvery = renewEvery;
        _logger = logger;
        _renewal = RenewAsync(abandon);
    }

    public string PopReceipt { get; private set; }

    /// <summary>Stops renewing; waits for an update already sent so <see cref="PopReceipt"/> is current.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewal;
        _stop.Dispose();
    }

    private async Task RenewAsync(CancellationToken abandon)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_renewEvery, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // Cancelled only when the host abandons the message: a half-sent update would leave a stale pop receipt.
                var receipt = await _queue.UpdateMessageAsync(_messageId, PopReceipt, messageText: null, visibilityTimeout: _duration, cancellationToken: abandon);
                PopReceipt = receipt.Value.PopReceipt;
                _logger.LogDebug("Renewed message {MessageId} for {LeaseDuration}", _messageId, _duration);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not renew message {MessageId}; it may be delivered again", _messageId);
            }
        }
    }
}
