using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Functions.Hosting;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Queues;

/// <summary>One host in custom-handler mode (FUNCTIONS_CUSTOMHANDLER_PORT set) with two test queue functions.</summary>
public sealed class CustomHandlerFixture : IAsyncLifetime
{
    public const int MaxDequeueCount = 3;
    private TestDatabase _database = null!;
    private NexusApp _app = null!;

    public InvocationRecorder Capture { get; } = new();
    public InvocationRecorder Broken { get; } = new();
    public WebApplicationFactory<Program> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new NexusApp(_database, new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "47071",
            ["Queues:MaxDequeueCount"] = MaxDequeueCount.ToString(),
        });
        Host = _app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddQueueFunction(new QueueFunction("HcCapture", "hc-capture", (_, m, _) =>
            {
                Capture.Record(m);
                return Task.CompletedTask;
            }));
            services.AddQueueFunction(new QueueFunction("HcBroken", "hc-broken", (_, m, _) =>
            {
                Broken.Record(m);
                throw new InvalidOperationException("secret internal detail");
            }, Broken.RecordPoison));
        }));
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>Custom-handler mode: the Functions host POSTs /{FunctionName} with its invocation envelope.</summary>
public sealed class CustomHandlerInvocationTests(CustomHandlerFixture fx) : IClassFixture<CustomHandlerFixture>
{
    private const int MaxDequeueCount = CustomHandlerFixture.MaxDequeueCount;
    private readonly string _messageId = Guid.NewGuid().ToString();

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
                ["Id"] = JsonSerializer.Serialize(_messageId),
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

        var seen = Assert.Single(fx.Capture.Invocations, i => i.MessageId == _messageId);
        Assert.Equal(message, seen.Body);
        Assert.Equal(2, seen.DequeueCount);
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
        Assert.Single(fx.Broken.Invocations, i => i.MessageId == _messageId);
        Assert.DoesNotContain(fx.Broken.Poisoned, p => p.Invocation.MessageId == _messageId);
    }

    [Fact]
    public async Task The_last_allowed_attempt_calls_OnPoison_once_before_answering_500()
    {
        var response = await PostAsync("/HcBroken", Envelope("{\"n\":1}", dequeueCount: MaxDequeueCount));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var (invocation, failure) = Assert.Single(fx.Broken.Poisoned, p => p.Invocation.MessageId == _messageId);
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
        var handledBefore = fx.Capture.Invocations.Count; // tests of one class run one at a time

        var response = await PostAsync("/HcCapture", new { Data = new { }, Metadata = new { DequeueCount = 1 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Data", await response.Content.ReadAsStringAsync());
        Assert.Equal(handledBefore, fx.Capture.Invocations.Count);
    }

    [Fact]
    public async Task Custom_handler_mode_runs_no_listeners_and_keeps_the_api_routes()
    {
        var client = fx.Host.CreateClient();

        Assert.Null(fx.Host.Services.GetService<QueueListeners>());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    private object Envelope(string message, int dequeueCount) => new
    {
        Data = new { message = JsonSerializer.Serialize(message) },
        Metadata = new { DequeueCount = dequeueCount, Id = JsonSerializer.Serialize(_messageId) },
    };

    private Task<HttpResponseMessage> PostAsync(string path, object envelope) =>
        fx.Host.CreateClient().PostAsync(path, new StringContent(JsonSerializer.Serialize(envelope), Encoding.UTF8, "application/json"));
}
