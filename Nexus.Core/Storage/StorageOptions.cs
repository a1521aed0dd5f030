using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Storage;

/// <summary>
/// Where the app's blobs and queues live: a connection string (Azurite, or an account key), or, on Azure,
/// the service URIs plus a managed identity. The URI keys match the Functions host's identity-based
/// connection "Storage" (<c>Storage__blobServiceUri</c>, <c>Storage__queueServiceUri</c>, <c>Storage__clientId</c>),
/// so one set of app settings serves the queue triggers and the app.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary>Azure Storage connection string. Bound from ConnectionStrings:Storage; wins over the URIs.</summary>
    public string ConnectionString { get; set; } = "";

    public Uri? BlobServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    /// <summary>Client id of the user-assigned managed identity to use with the URIs; empty for the default credential chain.</summary>
    public string? ClientId { get; set; }

    /// <summary>Prepended to every queue and container name; lets test runs share one Azurite.</summary>
    [RegularExpression("^[a-z0-9-]{0,20}$")]
    public string NamePrefix { get; set; } = "";

    /// <summary>
    /// Origins of the web pages (comma-separated, e.g. http://127.0.0.1:7071) that may PUT files to upload SAS URLs;
    /// the app adds that CORS rule to the blob service at start. Leave empty in Azure, where the infrastructure sets CORS.
    /// </summary>
    public string? BrowserUploadOrigins { get; set; }

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesConnectionString)
        {
            yield break;
        }
        if (BlobServiceUri is null && QueueServiceUri is null)
        {
            yield return new ValidationResult(
                "Storage needs ConnectionStrings:Storage, or Storage:BlobServiceUri and Storage:QueueServiceUri (managed identity).",
                [nameof(ConnectionString)]);
            yield break;
        }
        foreach (var (name, uri) in new[] { (nameof(BlobServiceUri), BlobServiceUri), (nameof(QueueServiceUri), QueueServiceUri) })
        {
            if (uri is not { IsAbsoluteUri: true } || uri.Scheme != Uri.UriSchemeHttps)
            {
                yield return new ValidationResult($"Storage:{name} must be an absolute https URI when no connection string is set.", [name]);
            }
        }
    }
}
