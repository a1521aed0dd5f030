using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Azure Storage connection string (Azurite locally). Bound from ConnectionStrings:Storage.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>Prepended to every queue and container name; lets test runs share one Azurite.</summary>
    [RegularExpression("^[a-z0-9-]{0,20}$")]
    public string NamePrefix { get; set; } = "";

    /// <summary>
    /// Origins of the web pages (comma-separated, e.g. http://127.0.0.1:7071) that may PUT files to upload SAS URLs;
    /// the app adds that CORS rule to the blob service at start. Leave empty in Azure, where the infrastructure sets CORS.
    /// </summary>
    public string? BrowserUploadOrigins { get; set; }
}
