namespace Nexus.Functions.Hosting;

public static class QueueFunctionHost
{
    public static IServiceCollection AddQueueFunction(this IServiceCollection services, QueueFunction function)
    {
        services.AddSingleton(function);
        return services;
    }

    public static IServiceCollection AddQueueFunctionHost(this IServiceCollection services, IConfiguration config, IHostEnvironment environment, bool customHandlerMode)
    {
        return services;
    }

    public static void MapQueueFunctionInvocations(this IEndpointRouteBuilder app)
    {
    }
}
