using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nexus.Tests.Deployment;

/// <summary>
/// The published Function App folder, and the custom handler started from it the way the Azure Functions host
/// does: host.json's defaultExecutablePath, arguments (with %VAR% expanded) and workingDirectory resolved against
/// the app root, FUNCTIONS_CUSTOMHANDLER_PORT set, ready once GET / answers (polled every 25 ms). Or the same process
/// started standalone (<see cref="StartStandaloneAsync"/>).
/// </summary>
public sealed partial class FunctionAppProcess : IAsyncDisposable
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static string? _published;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private FunctionAppProcess(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// The app folder: $NEXUS_FUNCTIONAPP_DIR when set (e.g. artifacts/functionapp from ./nexus publish), otherwise a
    /// framework-dependent `dotnet publish --no-build` of the build under test, once per test run.
    /// </summary>
    public static async Task<string> PublishedAppAsync()
    {
        if (Environment.GetEnvironmentVariable("NEXUS_FUNCTIONAPP_DIR") is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }
        await PublishLock.WaitAsync();
        try
        {
            if (_published is not null)
            {
                return _published;
            }
            // Beside the test assembly's folder (bin/<configuration>/functionapp), replaced on every run.
            var output = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "functionapp"));
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
            var configuration = typeof(FunctionAppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var project = Path.Combine(RepositoryRoot(), "Nexus.Functions", "Nexus.Functions.csproj");
            var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", project, "-c", configuration, "--no-build", "-o", output, "--disable-build-servers"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var log = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();
            if (publish.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish failed ({publish.ExitCode}):\n{log}");
            }
            return _published = output;
        }
        finally
        {
            PublishLock.Release();
        }
    }

    public static Task<FunctionAppProcess> StartAsync(string appRoot, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        return LaunchAsync(appRoot, port, new Dictionary<string, string>(settings)
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(),
            ["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = Guid.NewGuid().ToString(),
            ["FUNCTIONS_APP_ROOT_PATH"] = appRoot,
            ["FUNCTIONS_WORKER_RUNTIME"] = "custom",
        });
    }

    /// <summary>
    /// The same executable without the Functions host, as a Container Apps replica runs it: it serves HTTP itself
    /// (ASPNETCORE_URLS) and, with no FUNCTIONS_CUSTOMHANDLER_PORT, runs its own queue listeners.
    /// </summary>
    public static Task<FunctionAppProcess> StartStandaloneAsync(string appRoot, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        return LaunchAsync(appRoot, port, new Dictionary<string, string>(settings) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" });
    }

    private static async Task<FunctionAppProcess> LaunchAsync(string appRoot, int port, Dictionary<string, string> environment)
    {
        using var hostJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(appRoot, "host.json")));
        var description = hostJson.RootElement.GetProperty("customHandler").GetProperty("description");
        var executable = description.GetProperty("defaultExecutablePath").GetString()!;
        var workingDirectory = description.TryGetProperty("workingDirectory", out var wd) ? wd.GetString() : null;
        var arguments = description.TryGetProperty("arguments", out var args)
            ? args.EnumerateArray().Select(a => Expand(a.GetString()!, environment)).ToList()
            : [];

        // As the host: a relative executable that exists under the app root is taken from there, else from PATH.
        var local = Path.Combine(appRoot, executable);
        var start = new ProcessStartInfo(File.Exists(local) ? local : executable, arguments)
        {
            WorkingDirectory = string.IsNullOrEmpty(workingDirectory) ? appRoot : Path.Combine(appRoot, workingDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(inherited);
        }
        // These processes run as Production, whose appsettings turn the breached-password lookup on; tests stay offline.
        start.Environment["Auth__BreachedPasswordsApi"] = "";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var app = new FunctionAppProcess(process, port);
        process.OutputDataReceived += (_, e) => app.Record(e.Data);
        process.ErrorDataReceived += (_, e) => app.Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await app.WaitUntilReadyAsync();
        return app;
    }

    /// <summary>SIGKILL: no shutdown, no finally blocks, no message settled; the process is gone when this returns.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        using var probe = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The handler exited with {_process.ExitCode} during start-up:\n{Output}");
            }
            try
            {
                using var response = await probe.GetAsync("/");
                return; // any response means ready
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or (on a loaded machine) too slow to answer its first request within the probe's timeout.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The handler did not answer GET / within 60 s:\n{Output}");
            }
            await Task.Delay(25);
        }
    }

    private static string Expand(string argument, IReadOnlyDictionary<string, string> environment) =>
        EnvironmentVariable().Replace(argument, m => environment.TryGetValue(m.Groups[1].Value, out var v) ? v : Environment.GetEnvironmentVariable(m.Groups[1].Value) ?? m.Value);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nexus.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Nexus.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex EnvironmentVariable();
}
