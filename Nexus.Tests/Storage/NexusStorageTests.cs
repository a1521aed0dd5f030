using System.ComponentModel.DataAnnotations;
using System.Net;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Storage;

/// <summary>The two ways to reach storage: a connection string (Azurite, account key) and service URIs with a managed identity.</summary>
public sealed class NexusStorageTests
{
    [Fact]
    public async Task A_connection_string_reaches_queues_and_blobs_and_signs_an_upload_url_with_the_account_key()
    {
        var storage = new NexusStorage(Options.Create(new StorageOptions { ConnectionString = TestEnvironment.Storage, NamePrefix = Prefix() }));
        var queue = storage.Queue(NexusStorage.InventoryUploadsQueue);
        var container = storage.Container(NexusStorage.UploadsContainer);
        await queue.CreateIfNotExistsAsync();
        await container.CreateIfNotExistsAsync();
        try
        {
            await queue.SendMessageAsync("hola");
            Assert.Equal("hola", (await queue.ReceiveMessageAsync()).Value.Body.ToString());

            var blob = container.GetBlobClient("sheet.csv");
            var sas = new BlobSasBuilder(BlobSasPermissions.Create, DateTimeOffset.UtcNow.AddMinutes(5))
            {
                BlobContainerName = blob.BlobContainerName,
                BlobName = blob.Name,
                Resource = "b",
                Protocol = SasProtocol.HttpsAndHttp,
            };
            var url = await storage.SignAsync(blob, sas, CancellationToken.None);

            using var http = new HttpClient();
            using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent("part,qty\nA1,3\n") };
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(put)).StatusCode);
            Assert.Equal("part,qty\nA1,3\n", (await blob.DownloadContentAsync()).Value.Content.ToString());
            Assert.Contains("sp=c", url.Query);
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
            await container.DeleteIfExistsAsync();
        }
    }

    [Fact]
    public void Service_uris_use_the_managed_identity_and_sign_with_a_user_delegation_key()
    {
        var options = new StorageOptions
        {
            BlobServiceUri = new Uri("https://stnexus.blob.core.windows.net/"),
            QueueServiceUri = new Uri("https://stnexus.queue.core.windows.net/"),
            ClientId = "00000000-0000-0000-0000-000000000001",
        };

        var storage = new NexusStorage(Options.Create(options));

        Assert.Empty(Validate(options));
        Assert.Equal(options.BlobServiceUri, storage.Blobs.Uri);
        Assert.Equal(options.QueueServiceUri, storage.Queues.Uri);
        Assert.Equal("stnexus", storage.Blobs.AccountName);
        Assert.False(storage.Container(NexusStorage.UploadsContainer).GetBlobClient("x.csv").CanGenerateSasUri);
    }

    [Fact]
    public void Storage_settings_need_a_connection_string_or_https_service_uris()
    {
        var none = Validate(new StorageOptions());
        var plainHttp = Validate(new StorageOptions
        {
            BlobServiceUri = new Uri("http://stnexus.blob.core.windows.net/"),
            QueueServiceUri = new Uri("https://stnexus.queue.core.windows.net/"),
        });
        var connectionStringWins = Validate(new StorageOptions { ConnectionString = TestEnvironment.Storage, BlobServiceUri = new Uri("http://x/") });

        Assert.Contains("ConnectionStrings:Storage", Assert.Single(none).ErrorMessage);
        Assert.Equal([nameof(StorageOptions.BlobServiceUri)], Assert.Single(plainHttp).MemberNames);
        Assert.Empty(connectionStringWins);
    }

    private static List<ValidationResult> Validate(StorageOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private static string Prefix() => $"s{Guid.NewGuid():N}"[..9] + "-";
}
