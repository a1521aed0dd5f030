using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Functions.Hosting;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Queues;

/// <summary>Custom-handler mode: the Functions host POSTs /{FunctionName} with its invocation envelope.</summary>
public sealed class CustomHandlerInvocationTests : IAsyncLifetime
{
    private const int MaxDequeueCount = 3;
    private readonly InvocationRecorder _capture = new();
    private readonly InvocationRecorder _broken = new();
    private TestDatabase _database = null!;
    private NexusApp _app = null!;
    private WebApplicationFactory<Program> _host = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new NexusApp(_database, new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "47071",
            ["Queues:MaxDequeueCount"] = MaxDequeueCount.ToString(),
        });
        _host = _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddQueueFunction(new QueueFunction("HcCapture", "hc-capture", (_, m, _) =>
            {
                _capture.Record(m);
                return Task.CompletedTask;
            }));
            services.AddQueueFunction(new QueueFunction("HcBroken", "hc-broken", (_, m, _) =>
            {
                _broken.Record(m);
                throw new InvalidOperationException("secret internal detail");
            }, _broken.RecordPoison));
        }));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    public static TheoryData<object> DequeueCountShapes => new() { 2, "2", "\"2\"" };

    [Theory]
    [MemberData(nameof(DequeueCountShapes))]
    public async Task Host_invocation_with_double_encoded_values_reaches_the_handler_decoded(object dequeueCount)
    {
        const string message = """{"upload_id":42,"text":"Balata ñ"}""";
        var envelope = new
        {
            Data = new Dictionary<string, object> { ["message"] = JsonSerializer.Serialize(message) },
            Metadata = new Dictionary<string, object>
            {
                ["DequeueCount"] = dequeueCount,
                ["Id"] = JsonSerializer.Serialize("5f1c0a3e-msg"),
                ["InsertionTime"] = JsonSerializer.Serialize("2026-11-24T10:15:00+00:00"),
                ["PopReceipt"] = JsonSerializer.Serialize("AgAAAAMAAAA"),
                ["sys"] = new { MethodName = "HcCapture", UtcNow = "2026-11-24T10:15:01Z", RandGuid = Guid.NewGuid() },
            },
        };

        var response = await PostAsync("/HcCapture", envelope);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["Outputs", "Logs", "ReturnValue"], result.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Empty(result.RootElement.GetProperty("Outputs").EnumerateObject());
        Assert.Equal(0, result.RootElement.GetProperty("Logs").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("ReturnValue").ValueKind);

        var seen = Assert.Single(_capture.Invocations);
        Assert.Equal(message, seen.Body);
        Assert.Equal(2, seen.DequeueCount);
        Assert.Equal("5f1c0a3e-msg", seen.MessageId);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 10, 15, 0, TimeSpan.Zero), seen.InsertedOn);
        Assert.Equal(("HcCapture", "hc-capture"), (seen.FunctionName, seen.QueueName));
    }

    [Fact]
    public async Task A_failing_handler_answers_500_problem_without_internals_and_is_not_poisoned_early()
    {
        var response = await PostAsync("/HcBroken", Envelope("{}", dequeueCount: 1));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret internal detail", body);
        Assert.DoesNotContain("   at ", body);
        Assert.Single(_broken.Invocations);
        Assert.Empty(_broken.Poisoned);
    }

    [Fact]
    public async Task The_last_allowed_attempt_calls_OnPoison_once_before_answering_500()
    {
        var response = await PostAsync("/HcBroken", Envelope("{\"n\":1}", dequeueCount: MaxDequeueCount));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var (invocation, failure) = Assert.Single(_broken.Poisoned);
        Assert.Equal(MaxDequeueCount, invocation.DequeueCount);
        Assert.Equal("{\"n\":1}", invocation.Body);
        Assert.IsType<InvalidOperationException>(failure);
    }

    [Fact]
    public async Task An_unknown_function_is_404_problem()
    {
        var response = await PostAsync("/NoSuchFunction", Envelope("{}", dequeueCount: 1));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_envelope_without_the_message_is_400_validation_problem()
    {
        var response = await PostAsync("/HcCapture", new { Data = new { }, Metadata = new { DequeueCount = 1 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Data", await response.Content.ReadAsStringAsync());
        Assert.Empty(_capture.Invocations);
    }

    [Fact]
    public async Task Custom_handler_mode_runs_no_listeners_and_keeps_the_api_routes()
    {
        var client = _host.CreateClient();

        Assert.Null(_host.Services.GetService<QueueListeners>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    private static object Envelope(string message, int dequeueCount) => new
    {
        Data = new { message = JsonSerializer.Serialize(message) },
        Metadata = new { DequeueCount = dequeueCount, Id = JsonSerializer.Serialize(Guid.NewGuid().ToString()) },
    };

    private Task<HttpResponseMessage> PostAsync(string path, object envelope) =>
        _host.CreateClient().PostAsync(path, new StringContent(JsonSerializer.Serialize(envelope), Encoding.UTF8, "application/json"));
}
