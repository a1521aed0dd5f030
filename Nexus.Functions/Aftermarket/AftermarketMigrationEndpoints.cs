using System.Globalization;
using System.Security.Claims;
using System.Text;
using Nexus.Core.Aftermarket;
using Nexus.Functions.Auth;

namespace Nexus.Functions.Aftermarket;

/// <summary>The AFT- migration (spec section 3, design §5): plan a run, watch it, retry, report, revert. ADMIN and OWNER only.</summary>
public static class AftermarketMigrationEndpoints
{
    public sealed record PlanRequest(bool? DryRun, int? BatchSize);

    public sealed record QueuedResponse(long RunId, int BatchesQueued);

    public static void MapAftermarketMigrationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/migrations").WithTags("Aftermarket migration").RequireAuthorization(Policies.Admin);
        group.MapPost("/aftermarket", PlanAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapGet("/{id:long}/report.csv", ReportAsync);
        group.MapPost("/{id:long}/resume", ResumeAsync);
        group.MapPost("/{id:long}/retry", (long id, AftermarketMigrationPlanner planner, CancellationToken ct) => RetryAsync(id, null, planner, ct));
        group.MapPost("/{id:long}/batches/{batchNo:int}/retry", (long id, int batchNo, AftermarketMigrationPlanner planner, CancellationToken ct) => RetryAsync(id, batchNo, planner, ct));
        group.MapPost("/{id:long}/revert", RevertAsync);
    }

    private static async Task<IResult> PlanAsync(PlanRequest? request, ClaimsPrincipal user, AftermarketMigrationPlanner planner, CancellationToken cancellationToken)
    {
        var batchSize = request?.BatchSize ?? AftermarketMigrationPlanner.DefaultBatchSize;
        if (batchSize is < AftermarketMigrationPlanner.MinBatchSize or > AftermarketMigrationPlanner.MaxBatchSize)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["batch_size"] = [$"batch_size must be between {AftermarketMigrationPlanner.MinBatchSize} and {AftermarketMigrationPlanner.MaxBatchSize}."],
            });
        }
        int? createdBy = int.TryParse(user.FindFirstValue("user_id"), NumberStyles.None, CultureInfo.InvariantCulture, out var userId) ? userId : null;
        return await Guarded(async () =>
        {
            var run = await planner.PlanAsync(request?.DryRun ?? false, batchSize, createdBy, cancellationToken);
            return Results.Accepted($"/api/admin/migrations/{run.Id}", run);
        });
    }

    private static async Task<IResult> ListAsync(AftermarketMigrationQueries queries, CancellationToken cancellationToken) =>
        Results.Ok(await queries.ListRunsAsync(100, cancellationToken));

    private static async Task<IResult> GetAsync(long id, AftermarketMigrationQueries queries, CancellationToken cancellationToken) =>
        await queries.GetRunAsync(id, cancellationToken) is { } details ? Results.Ok(details) : RunNotFound(id);

    private static async Task<IResult> ReportAsync(long id, AftermarketMigrationQueries queries, HttpContext context, CancellationToken cancellationToken)
    {
        if (await queries.GetRunAsync(id, cancellationToken) is null)
        {
            return RunNotFound(id);
        }
        return Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false));
            await MigrationReportCsv.WriteAsync(writer, queries.ReportAsync(id, cancellationToken), cancellationToken);
        }, "text/csv; charset=utf-8", $"aftermarket-migration-{id}.csv");
    }

    private static Task<IResult> ResumeAsync(long id, AftermarketMigrationPlanner planner, CancellationToken cancellationToken) =>
        Guarded(async () => Results.Accepted($"/api/admin/migrations/{id}", new QueuedResponse(id, await planner.ResumeAsync(id, cancellationToken))));

    private static Task<IResult> RetryAsync(long id, int? batchNo, AftermarketMigrationPlanner planner, CancellationToken cancellationToken) =>
        Guarded(async () => Results.Accepted($"/api/admin/migrations/{id}", new QueuedResponse(id, await planner.RetryAsync(id, batchNo, cancellationToken))));

    private static Task<IResult> RevertAsync(long id, AftermarketRevert revert, CancellationToken cancellationToken) =>
        Guarded(async () => Results.Ok(await revert.RevertAsync(id, cancellationToken)));

    /// <summary>Maps the migration's expected refusals to problem details; anything else is a 500.</summary>
    private static async Task<IResult> Guarded(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Migration run not found", detail: e.Message);
        }
        catch (AftermarketMigrationConflict e)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Migration state does not allow this", detail: e.Message);
        }
        catch (AftermarketEnqueueFailed e)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Batch messages could not be queued",
                detail: $"{e.Message} POST /api/admin/migrations/{e.RunId}/resume to send them.",
                extensions: new Dictionary<string, object?> { ["run_id"] = e.RunId });
        }
    }

    private static IResult RunNotFound(long id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Migration run not found", detail: $"Aftermarket migration run {id} does not exist.");
}
