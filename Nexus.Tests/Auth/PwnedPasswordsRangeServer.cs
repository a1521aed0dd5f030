using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Nexus.Tests.Auth;

/// <summary>What the range server received: everything a client could have sent the password's hash in.</summary>
public sealed record RangeRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, long BodyBytes);

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, a random port) answering <c>GET /range/{prefix}</c> in the Pwned Passwords
/// format: <c>SUFFIX:COUNT</c> lines, CRLF-separated, with padding lines of count 0 mixed in, as the API does with
/// <c>Add-Padding: true</c>. It lists the passwords it was given with their counts (0: only as a padding line), and
/// records every request.
/// </summary>
public sealed class PwnedPasswordsRangeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RangeRequest> _requests = new();
    private readonly Dictionary<string, int> _hashes;
    private readonly TimeSpan _delay;

    private PwnedPasswordsRangeServer(IReadOnlyDictionary<string, int> passwords, TimeSpan delay)
    {
        _hashes = passwords.ToDictionary(p => Sha1(p.Key), p => p.Value);
        _delay = delay;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/range/{prefix}", AnswerAsync);
    }

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<RangeRequest> Requests => [.. _requests];

    /// <param name="delay">How long each answer waits before anything is sent.</param>
    public static async Task<PwnedPasswordsRangeServer> StartAsync(IReadOnlyDictionary<string, int> passwords, TimeSpan delay = default)
    {
        var server = new PwnedPasswordsRangeServer(passwords, delay);
        await server._app.StartAsync();
        server.Address = new Uri(server._app.Urls.Single());
        return server;
    }

    /// <summary>Upper-case hex SHA-1 of the UTF-8 password, as the API lists them.</summary>
    public static string Sha1(string password) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password)));

    private async Task AnswerAsync(HttpContext http, string prefix)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, http.RequestAborted);
        _requests.Enqueue(new RangeRequest(http.Request.Method, http.Request.Path.Value ?? "", http.Request.QueryString.Value ?? "",
            http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.Length));
        if (_delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, http.RequestAborted);
        }
        var lines = new List<string>();
        var random = new Random(prefix.GetHashCode(StringComparison.Ordinal));
        for (var i = 0; i < 40; i++)
        {
            // Other passwords of the same range, breached ones and padding.
            lines.Add($"{RandomHex(random, 35)}:{(i % 3 == 0 ? 0 : random.Next(1, 100_000))}");
        }
        lines.AddRange(_hashes.Where(h => h.Key.StartsWith(prefix.ToUpperInvariant(), StringComparison.Ordinal))
            .Select(h => $"{h.Key[5..]}:{h.Value.ToString(CultureInfo.InvariantCulture)}"));
        lines.Sort(StringComparer.Ordinal);
        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync(string.Join("\r\n", lines), http.RequestAborted);
    }

    private static string RandomHex(Random random, int length)
    {
        var bytes = new byte[(length + 1) / 2];
        random.NextBytes(bytes);
        return Convert.ToHexString(bytes)[..length];
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
