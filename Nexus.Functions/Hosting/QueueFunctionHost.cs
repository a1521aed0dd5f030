using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Nexus.Functions.Hosting;

/// <summary>How queue functions are triggered: by our own listeners (standalone) or by the Functions host (custom handler).</summary>
public sealed record QueueHostingMode(bool CustomHandler);

public static partial class QueueFunctionHost
{
    private static readonly JsonSerializerOptions HostJsonOptions = new();

    public static IServiceCollection AddQueueFunction(this IServiceCollection services, QueueFunction function)
    {
        services.AddSingleton(function);
        return services;
    }

    public static IServiceCollection AddQueueFunctionHost(this IServiceCollection services, IConfiguration config, IHostEnvironment environment, bool customHandlerMode)
    {
        var hostJson = HostJson.Load(environment);
        services.AddOptions<QueueHostOptions>()
            .Bind(hostJson.GetSection(QueueHostOptions.HostJsonSection))
            .Bind(config.GetSection(QueueHostOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new QueueHostingMode(customHandlerMode));
        services.AddSingleton<QueueFunctionInvoker>();
        if (!customHandlerMode)
        {
            services.AddSingleton<QueueListeners>();
            services.AddHostedService(sp => sp.GetRequiredService<QueueListeners>());
        }
        return services;
    }

    /// <summary>
    /// Checks the registered queue functions and, in custom-handler mode, maps <c>POST /{FunctionName}</c> for the host's invocations.
    /// Standalone mode maps nothing: there, nobody outside may inject a message by HTTP.
    /// </summary>
    public static void MapQueueFunctionInvocations(this IEndpointRouteBuilder app)
    {
        var functions = app.ServiceProvider.GetServices<QueueFunction>().ToList();
        Validate(functions);
        if (!app.ServiceProvider.GetRequiredService<QueueHostingMode>().CustomHandler)
        {
            return;
        }
        foreach (var function in functions)
        {
            app.MapPost("/" + function.Name, (HttpContext context, QueueFunctionInvoker invoker, IOptions<QueueHostOptions> options, ILoggerFactory loggers) =>
                    InvokeFromHostAsync(function, context, invoker, options.Value, loggers.CreateLogger("Nexus.QueueFunctions")))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }
    }

    private static async Task<IResult> InvokeFromHostAsync(QueueFunction function, HttpContext context, QueueFunctionInvoker invoker, QueueHostOptions options, ILogger logger)
    {
        JsonDocument envelope;
        try
        {
            envelope = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The invocation is not valid JSON."] });
        }

        QueueInvocation? invocation;
        using (envelope)
        {
            invocation = HostInvocation.TryRead(envelope.RootElement, function, out var errors);
            if (invocation is null)
            {
                return Results.ValidationProblem(errors);
            }
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["FunctionName"] = function.Name,
            ["MessageId"] = invocation.MessageId,
            ["DequeueCount"] = invocation.DequeueCount,
        });
        try
        {
            await invoker.InvokeAsync(function, invocation, context.RequestAborted);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            var last = invocation.DequeueCount >= options.MaxDequeueCount;
            logger.LogError(ex, "{FunctionName} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount})",
                function.Name, invocation.MessageId, invocation.DequeueCount, options.MaxDequeueCount);
            if (last)
            {
                await invoker.PoisonAsync(function, invocation, ex, context.RequestAborted);
            }
            return Results.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Queue function failed",
                detail: last
                    ? $"{function.Name} failed on its last attempt; the host moves the message to {function.QueueName}-poison."
                    : $"{function.Name} failed on attempt {invocation.DequeueCount}; the host retries the message.");
        }
        logger.LogInformation("Processed {FunctionName} message {MessageId} (attempt {DequeueCount})", function.Name, invocation.MessageId, invocation.DequeueCount);
        return Results.Json(new { Outputs = new { }, Logs = Array.Empty<string>(), ReturnValue = (object?)null }, HostJsonOptions);
    }

    private static void Validate(IReadOnlyList<QueueFunction> functions)
    {
        foreach (var function in functions)
        {
            if (!FunctionName().IsMatch(function.Name) || function.Name.Equals("Api", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Queue function name '{function.Name}' is not a valid Functions name (or is reserved).");
            }
            if (!QueueName().IsMatch(function.QueueName) || function.QueueName.Contains("--", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Queue '{function.QueueName}' of {function.Name} is not a valid queue name (3-56 of a-z, 0-9, single '-').");
            }
        }
        var duplicate = functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Queue function '{duplicate.Key}' is registered {duplicate.Count()} times.");
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex FunctionName();

    // 56 leaves room for "-poison" within the 63-character limit.
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,54}[a-z0-9]$")]
    private static partial Regex QueueName();
}
