using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Nexus.Tests.Aftermarket;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.CatalogImport;

/// <summary>
/// One app over a private database with <see cref="CatalogImportCatalog"/>, real Azurite and the real queue listener
/// (retries at once, poison after 2 attempts), shared by the catalog-import HTTP tests. The upload limit is small so the
/// 413 path needs only kilobytes.
/// </summary>
public sealed class HttpCatalogImportFixture : IAsyncLifetime
{
    public const long MaxUploadBytes = 64 * 1024;

    public TestDatabase Database { get; private set; } = null!;
    public NexusApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        await CatalogImportCatalog.LoadAsync(Database.DataSource);
        var settings = AftermarketQueueSupport.WorkerSettings(Database, "catalog-import-http-tests");
        settings["CatalogImport:MaxUploadBytes"] = MaxUploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        App = new NexusApp(Database, settings);
        App.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }

    public static MultipartFormDataContent FileForm(string fileName, byte[] content)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        return form;
    }

    /// <summary>Polls the import until the queue function has finished it.</summary>
    public static async Task<JsonObject> WaitForImportAsync(HttpClient client, long importId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var import = await (await client.GetAsync($"/api/admin/catalog-imports/{importId}")).JsonAsync();
            if (import["status"]!.GetValue<string>() is "completed" or "failed")
            {
                return import;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Import {importId} still {import["status"]} after 60 s");
            await Task.Delay(200);
        }
    }
}
