using Nexus.Functions.Hosting;
using Dapper;
using Nexus.Core.Storage;
using Npgsql;

namespace Nexus.Functions.Health;

public static class HealthEndpoints
{
    public sealed record HealthReport(string Status, string Postgres, string Storage);

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", CheckAsync).WithTags("Health").AllowAnonymous().Unqueued();
    }

    private static async Task<IResult> CheckAsync(NpgsqlDataSource db, NexusStorage storage, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Nexus.Health");
        var postgres = await ProbeAsync(logger, "Postgres", async () =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
        });
        var blob = await ProbeAsync(logger, "Storage", () => storage.Queues.GetPropertiesAsync(ct));

        var healthy = postgres == "ok" && blob == "ok";
        var report = new HealthReport(healthy ? "healthy" : "unhealthy", postgres, blob);
        return healthy ? Results.Ok(report) : Results.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<string> ProbeAsync(ILogger logger, string name, Func<Task> probe)
    {
        try
        {
            await probe();
            return "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Health probe {Dependency} failed", name);
            return "unreachable";
        }
    }
}
