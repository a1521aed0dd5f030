using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Nexus.Tests.Infrastructure;

/// <summary>
/// Requests of the in-memory test server have no remote address; with <see cref="AddTo"/> a test client chooses one per
/// request with the <see cref="Header"/> (test hosts only: the app itself never reads it), so throttles per address can be
/// seen at work.
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client-Address";

    public static void AddTo(IServiceCollection services) => services.AddTransient<IStartupFilter, TestClientAddress>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, nextMiddleware) =>
        {
            if (http.Request.Headers[Header].ToString() is { Length: > 0 } address)
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse(address);
            }
            return nextMiddleware(http);
        });
        next(app);
    };
}

public static class TestClientAddresses
{
    /// <summary>This client's requests come from <paramref name="address"/> (with <see cref="TestClientAddress"/> in the host).</summary>
    public static HttpClient From(this HttpClient client, string address)
    {
        client.DefaultRequestHeaders.Remove(TestClientAddress.Header);
        client.DefaultRequestHeaders.Add(TestClientAddress.Header, address);
        return client;
    }
}

/// <summary>A clock that stands still until a test moves it, for answers that depend on the time (Retry-After, 30 days).</summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Elapsed-time measurements stand still with it too.</summary>
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
