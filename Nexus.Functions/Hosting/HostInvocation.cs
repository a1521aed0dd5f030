using System.Globalization;
using System.Text.Json;

namespace Nexus.Functions.Hosting;

/// <summary>
/// Reads the Functions host's invocation envelope for a queue trigger:
/// <c>{"Data":{"message": …}, "Metadata":{"DequeueCount": …, "Id": …, "InsertionTime": …}}</c>.
/// The host double-encodes strings (a JSON string holding a JSON string literal) and sends numbers as
/// numbers or strings, so every value is unwrapped until it is plain text.
/// </summary>
public static class HostInvocation
{
    public const string BindingName = "message";

    public static QueueInvocation? TryRead(JsonElement envelope, QueueFunction function, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            errors["Data"] = ["The invocation must be a JSON object with Data and Metadata."];
            return null;
        }
        var data = Property(envelope, "Data");
        var message = data is { ValueKind: JsonValueKind.Object } ? Property(data.Value, BindingName) ?? OnlyProperty(data.Value) : null;
        // The host has already applied host.json's messageEncoding; a body that is still base64 JSON (Event Grid
        // has written both encodings to queues) is decoded here, as the standalone listener does.
        var body = message is null || Text(message.Value) is not { } text ? null : QueueMessageText.Decode(text, QueueMessageBodyEncoding.None);
        if (body is null)
        {
            errors["Data"] = [$"Data.{BindingName} (the queue message) is required."];
            return null;
        }

        var metadata = Property(envelope, "Metadata") is { ValueKind: JsonValueKind.Object } m ? m : (JsonElement?)null;
        long dequeueCount = 1;
        if (metadata is not null && Property(metadata.Value, "DequeueCount") is { } countValue
            && !long.TryParse(Text(countValue), NumberStyles.Integer, CultureInfo.InvariantCulture, out dequeueCount))
        {
            errors["Metadata.DequeueCount"] = ["DequeueCount must be a whole number."];
            return null;
        }
        var id = metadata is not null && Property(metadata.Value, "Id") is { } idValue ? Text(idValue) ?? "" : "";
        DateTimeOffset? insertedOn = metadata is not null && Property(metadata.Value, "InsertionTime") is { } timeValue
            && DateTimeOffset.TryParse(Text(timeValue), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
        return new QueueInvocation(function.Name, function.QueueName, id, dequeueCount, insertedOn, body);
    }

    /// <summary>The value as text: strings unwrapped (twice when double-encoded), anything else as its JSON.</summary>
    public static string? Text(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (text is ['"', .., '"'])
                {
                    try
                    {
                        return JsonSerializer.Deserialize<string>(text) ?? text;
                    }
                    catch (JsonException)
                    {
                        return text;
                    }
                }
                return text;
            default:
                return value.GetRawText();
        }
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }

    private static JsonElement? OnlyProperty(JsonElement obj)
    {
        var properties = obj.EnumerateObject().Take(2).ToList();
        return properties.Count == 1 ? properties[0].Value : null;
    }
}
