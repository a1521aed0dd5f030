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
}
