using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Nexus.Core.DataSets;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Web;

/// <summary>
/// The real host on a real socket (Kestrel on 127.0.0.1; the in-memory TestServer cannot serve a browser), over a
/// private copy of the demo catalog, serving web/, and one headless Debian chromium driven by Playwright.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 900 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private IPlaywright? _playwright;

    public TestDatabase Database { get; private set; } = null!;
    public NexusApp App { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    /// <summary>TestResults/screenshots at the repository root (the CI artifact); NEXUS_SCREENSHOTS overrides it.</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("NEXUS_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: the browser tests need Debian's chromium (./nexus test installs it).");
        }
        Database = await TestDatabase.CreateAsync("demo", ds => DataSetGenerator.SeedAsync(ds, DataSetSize.Demo));
        // The origin must be known before start: the app grants it CORS on the blob service for SAS uploads.
        var port = FreeLoopbackPort();
        BaseUrl = $"http://127.0.0.1:{port}";
        App = new NexusApp(Database, new Dictionary<string, string?>
        {
            ["Nexus:WebRoot"] = Path.Combine(RepositoryRoot(), "web"),
            ["Storage:BrowserUploadOrigins"] = BaseUrl,
        });
        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        App.StartServer();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }

    /// <summary>A fresh browser profile (its own cookies and storage) in Mexican Spanish, like a separate person.</summary>
    public async Task<BrowserSession> NewSessionAsync(ViewportSize? viewport = null)
    {
        var phone = viewport is { Width: < 600 };
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = "es-MX",
            TimezoneId = "America/Mexico_City",
            ViewportSize = viewport ?? Desktop,
            IsMobile = phone,
            HasTouch = phone,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nexus.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Nexus.sln not found above the test assembly.");
    }
}

/// <summary>One person's browser: its context and first page, with the page's script errors collected.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly List<string> _scriptErrors = [];

    public BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        Watch(page);
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    /// <summary>Uncaught exceptions and console errors other than failed requests (a 401 on purpose is not a bug).</summary>
    public IReadOnlyList<string> ScriptErrors => _scriptErrors;

    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        Watch(page);
        return page;
    }

    private void Watch(IPage page)
    {
        page.PageError += (_, error) => _scriptErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                _scriptErrors.Add(message.Text);
            }
        };
    }

    /// <summary>Saves a full-page screenshot as TestResults/screenshots/{name}.png.</summary>
    public Task ScreenshotAsync(string name, IPage? page = null) =>
        (page ?? Page).ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
    }
}
