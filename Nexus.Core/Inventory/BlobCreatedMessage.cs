using System.Text.Json;

namespace Nexus.Core.Inventory;

/// <summary>
/// An Event Grid Microsoft.Storage.BlobCreated event as delivered to a storage queue (one event per message,
/// or an array of one): {"subject":"/blobServices/default/containers/{c}/blobs/{name}","data":{"api":"PutBlob",...}}.
/// </summary>
public sealed record BlobCreatedMessage(string Container, string BlobName, string? Api, string? ETag, long? ContentLength)
{
    private const string SubjectPrefix = "/blobServices/default/containers/";

    /// <summary>Null when the message is not a BlobCreated event for a blob.</summary>
    public static BlobCreatedMessage? Parse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                if (root.GetArrayLength() != 1)
                {
                    return null;
                }
                root = root[0];
            }
            // The Functions host may hand a JSON string holding the JSON.
            if (root.ValueKind == JsonValueKind.String)
            {
                return Parse(root.GetString()!);
            }
            if (root.ValueKind != JsonValueKind.Object
                || String(root, "eventType") is not "Microsoft.Storage.BlobCreated"
                || String(root, "subject") is not { } subject
                || !subject.StartsWith(SubjectPrefix, StringComparison.Ordinal))
            {
                return null;
            }
            var rest = subject[SubjectPrefix.Length..];
            var separator = rest.IndexOf("/blobs/", StringComparison.Ordinal);
            if (separator <= 0)
            {
                return null;
            }
            root.TryGetProperty("data", out var data);
            var isObject = data.ValueKind == JsonValueKind.Object;
            long? length = isObject && data.TryGetProperty("contentLength", out var l) && l.TryGetInt64(out var value) ? value : null;
            return new BlobCreatedMessage(rest[..separator], rest[(separator + "/blobs/".Length)..],
                isObject ? String(data, "api") : null, isObject ? String(data, "eTag") : null, length);
        }
    }

    /// <summary>The shape Event Grid delivers; locally the upload-complete step enqueues it (Azurite has no Event Grid).</summary>
    public static string Create(string accountUrl, string container, string blobName, string? eTag, long contentLength) =>
        JsonSerializer.Serialize(new
        {
            topic = "/subscriptions/local/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/local",
            subject = $"{SubjectPrefix}{container}/blobs/{blobName}",
            eventType = "Microsoft.Storage.BlobCreated",
            id = Guid.NewGuid().ToString(),
            eventTime = DateTimeOffset.UtcNow,
            data = new { api = "PutBlob", url = $"{accountUrl.TrimEnd('/')}/{container}/{blobName}", contentLength, eTag },
            dataVersion = "",
        });

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
