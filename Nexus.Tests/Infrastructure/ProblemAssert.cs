using System.Net;
using System.Text.Json.Nodes;

namespace Nexus.Tests.Infrastructure;

public static class ProblemAssert
{
    /// <summary>Asserts an RFC 7807 answer (application/problem+json with type, title and status) and returns its body.</summary>
    public static async Task<JsonObject> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.False(string.IsNullOrEmpty(body["type"]?.GetValue<string>()), text);
        Assert.False(string.IsNullOrEmpty(body["title"]?.GetValue<string>()), text);
        Assert.Equal((int)status, body["status"]?.GetValue<int>());
        return body;
    }

    /// <summary>A 400 validation problem naming the given field.</summary>
    public static async Task<JsonObject> IsValidationProblemAsync(HttpResponseMessage response, string field)
    {
        var body = await IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(body["errors"]?[field] is JsonArray { Count: > 0 }, $"No error for {field}: {body.ToJsonString()}");
        return body;
    }
}
