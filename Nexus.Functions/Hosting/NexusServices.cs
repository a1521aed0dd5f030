using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Nexus.Core.Auth;
using Nexus.Core.Database;
using Nexus.Core.Storage;
using Nexus.Core.Workers;
using Nexus.Functions.Auth;
using Npgsql;

namespace Nexus.Functions.Hosting;

public static class NexusServices
{
    public static WebApplicationBuilder AddNexusServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;

        // Azure Functions custom handler: the host tells us the port; otherwise --urls / ASPNETCORE_URLS decide.
        var handlerPort = config["FUNCTIONS_CUSTOMHANDLER_PORT"];
        if (!string.IsNullOrEmpty(handlerPort))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{handlerPort}");
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;

        services.AddOptions<DatabaseOptions>()
            .Configure(o => o.ConnectionString = config.GetConnectionString("Postgres") ?? "")
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StorageOptions>()
            .Bind(config.GetSection(StorageOptions.Section))
            .Configure(o => o.ConnectionString = config.GetConnectionString("Storage") ?? o.ConnectionString)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JwtOptions>()
            .Bind(config.GetSection(JwtOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NexusOptions>()
            .Bind(config.GetSection(NexusOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            return NexusDataSource.Create(connectionString, sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<NexusStorage>();
        services.AddSingleton(sp => WorkerIdentity.ForThisProcess(sp.GetRequiredService<IOptions<NexusOptions>>().Value.WorkerName));

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = BadRequestProblems.Explain);
        services.AddExceptionHandler<BadRequestProblems>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddRequestConcurrency();
        services.AddNexusAuth();
        services.AddQueueFunctionHost(config, builder.Environment, handlerPort is { Length: > 0 });
        services.AddNexusFeatures();
        return builder;
    }

    public static WebApplication UseNexusPipeline(this WebApplication app)
    {
        if (app.Services.GetRequiredService<QueueHostingMode>().CustomHandler)
        {
            // Behind the Functions host every request comes from loopback; the client address (used by the
            // login throttle) is in X-Forwarded-For, which ASP.NET trusts from loopback proxies by default.
            app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseJsonBodyLimit();
        app.UseNexusWebRoot();
        app.UseRequestConcurrency();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMfaEnrolmentGate();
        app.MapOpenApi();
        return app;
    }
}
