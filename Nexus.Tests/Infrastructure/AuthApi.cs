using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nexus.Tests.Infrastructure;

/// <summary>Calls to the auth endpoints with the API's snake_case JSON.</summary>
public static class AuthApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password }, Json);

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken }, Json);

    public static Task<HttpResponseMessage> RegisterAsync(this HttpClient client, object body) =>
        client.PostAsJsonAsync("/api/auth/register", body, Json);

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>A problem body without its per-request traceId, for comparing two answers.</summary>
    public static async Task<string> ProblemWithoutTraceIdAsync(this HttpResponseMessage response)
    {
        var body = await response.JsonAsync();
        body.Remove("traceId");
        body.Remove("trace_id");
        return body.ToJsonString();
    }
}
