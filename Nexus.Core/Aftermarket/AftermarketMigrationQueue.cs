using System.Text.Json;
using Nexus.Core.Storage;

namespace Nexus.Core.Aftermarket;

/// <summary>Sends batch messages: <c>{"run_id":1,"batch_no":2}</c>, base64 like the Functions queue trigger expects.</summary>
public sealed class AftermarketMigrationQueue(NexusStorage storage)
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task EnqueueAsync(long runId, IEnumerable<int> batchNos, CancellationToken cancellationToken)
    {
        foreach (var batchNo in batchNos)
        {
            var body = JsonSerializer.Serialize(new MigrationBatchMessage(runId, batchNo), Json);
            await storage.SendAsync(NexusStorage.AftermarketMigrationQueue, body, cancellationToken);
        }
    }

    public static MigrationBatchMessage Parse(string body) =>
        JsonSerializer.Deserialize<MigrationBatchMessage>(body, Json) is { RunId: > 0, BatchNo: > 0 } message
            ? message
            : throw new FormatException("An aftermarket migration message needs run_id and batch_no.");
}
