using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Nexus.Core.Workers;

namespace Nexus.Functions.Hosting;

/// <summary>Marks an endpoint that spends its time moving a request body, not in the database: it is not queued.</summary>
public sealed class UnqueuedRequestMetadata
{
    public static readonly UnqueuedRequestMetadata Instance = new();
}

/// <summary>
/// At most Nexus:MaxConcurrentRequests API requests run at once per process; the rest wait in arrival order.
/// Each running request holds a PostgreSQL backend, and on 2 cores 32 backends at once only share the CPU in
/// the OS scheduler, which stretches every request (bench/catalog at concurrency 32: number search p95 83 ms
/// with all running, 24 ms with 8). The limit is here rather than in the connection pool so that queue
/// functions, which hold connections for minutes, never make HTTP requests wait for them, nor the reverse.
/// The same requests, running or waiting, are what background jobs give way to (<see cref="BackgroundPacing"/>).
/// </summary>
public static class RequestConcurrency
{
    public static RouteHandlerBuilder Unqueued(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(UnqueuedRequestMetadata.Instance);

    public static IServiceCollection AddRequestConcurrency(this IServiceCollection services)
    {
        services.AddSingleton<BackgroundPacing>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NexusOptions>>().Value;
            return new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = options.MaxConcurrentRequests ?? NexusOptions.DefaultConcurrentRequests,
                QueueLimit = options.RequestQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        });
        return services;
    }

    public static IApplicationBuilder UseRequestConcurrency(this IApplicationBuilder app)
    {
        var limiter = app.ApplicationServices.GetRequiredService<ConcurrencyLimiter>();
        var pacing = app.ApplicationServices.GetRequiredService<BackgroundPacing>();
        return app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments("/api") || http.GetEndpoint()?.Metadata.GetMetadata<UnqueuedRequestMetadata>() is not null)
            {
                await next(http);
                return;
            }
            pacing.RequestStarted();
            try
            {
                using var lease = await limiter.AcquireAsync(1, http.RequestAborted);
                if (!lease.IsAcquired)
                {
                    http.Response.Headers.RetryAfter = "1";
                    await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy",
                        detail: "The server has too many requests waiting. Try again in a second.").ExecuteAsync(http);
                    return;
                }
                await next(http);
            }
            finally
            {
                pacing.RequestEnded();
            }
        });
    }
}
