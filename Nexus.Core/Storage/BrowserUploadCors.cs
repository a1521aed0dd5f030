using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Nexus.Core.Storage;

/// <summary>
/// The web page PUTs inventory files straight to a SAS URL on the blob service, a cross-origin request: the blob
/// service must answer its CORS preflight. In Azure the storage account's CORS rules come from the infrastructure;
/// locally (Azurite) the app adds the rule itself at start-up when Storage:BrowserUploadOrigins is set.
/// </summary>
public static class BrowserUploadCors
{
    /// <summary>Azure keeps at most five CORS rules per service.</summary>
    private const int MaxRules = 5;

    /// <summary>What the upload page sends: <c>x-ms-blob-type: BlockBlob</c> and the file's content type.</summary>
    public const string AllowedHeaders = "content-type,x-ms-blob-type";

    /// <returns>True when a rule was added; false when one for these origins already existed.</returns>
    public static async Task<bool> EnsureAsync(BlobServiceClient blobs, string origins, CancellationToken cancellationToken)
    {
        var wanted = string.Join(",", origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (wanted.Length == 0)
        {
            return false;
        }
        BlobServiceProperties properties = await blobs.GetPropertiesAsync(cancellationToken);
        var rules = properties.Cors ?? [];
        if (rules.Any(r => r.AllowedOrigins == wanted && r.AllowedMethods.Contains("PUT", StringComparison.Ordinal)))
        {
            return false;
        }
        rules.Add(new BlobCorsRule
        {
            AllowedOrigins = wanted,
            AllowedMethods = "PUT",
            AllowedHeaders = AllowedHeaders,
            ExposedHeaders = "etag",
            MaxAgeInSeconds = 3600,
        });
        properties.Cors = rules.TakeLast(MaxRules).ToList();
        await blobs.SetPropertiesAsync(properties, cancellationToken);
        return true;
    }
}
