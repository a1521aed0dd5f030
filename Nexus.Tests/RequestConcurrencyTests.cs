using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Nexus.Core.Workers;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests;

public sealed class RequestConcurrencyTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private NexusApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new NexusApp(_database, new Dictionary<string, string?>
        {
            ["Nexus:MaxConcurrentRequests"] = "1",
            ["Nexus:RequestQueueLimit"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Requests_beyond_the_limit_wait_in_turn_and_beyond_the_queue_get_503_while_health_answers_and_background_work_gives_way_meanwhile()
    {
        var client = _app.CreateClient();
        var limiter = _app.Services.GetRequiredService<ConcurrencyLimiter>();
        var pacing = _app.Services.GetRequiredService<BackgroundPacing>();
        Assert.False(pacing.RequestsRunning);

        // A catalog request blocked on a table lock holds the one slot.
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockCategories = new NpgsqlCommand("LOCK TABLE categories IN ACCESS EXCLUSIVE MODE", connection, transaction))
        {
            await lockCategories.ExecuteNonQueryAsync();
        }
        var holding = client.GetAsync("/api/categories");
        await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentAvailablePermits == 0);

        var waiting = client.GetAsync("/api/vehicles/makes");
        await WaitUntilAsync(() => limiter.GetStatistics()!.CurrentQueuedCount == 1);

        var refused = await client.GetAsync("/api/vehicles/makes");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        Assert.False(waiting.IsCompleted);
        Assert.True(pacing.RequestsRunning);

        await transaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.OK, (await holding).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await waiting).StatusCode);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.False(pacing.RequestsRunning); // the refused request counted out too
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 20 s");
            await Task.Delay(10);
        }
    }
}
