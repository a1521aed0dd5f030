using System.ComponentModel.DataAnnotations;
using Nexus.Core.Workers;

namespace Nexus.Functions.Hosting;

public sealed class NexusOptions
{
    public const string Section = "Nexus";

    /// <summary>Load the demo data set (and demo accounts) at start. Only `./nexus up` sets it.</summary>
    public bool SeedDemo { get; set; }

    /// <summary>Folder of the static web pages; defaults to ../web beside the content root.</summary>
    public string? WebRoot { get; set; }

    /// <summary>This process's name in processed_by (see <see cref="WorkerIdentity"/>); default: the machine name.</summary>
    [StringLength(WorkerIdentity.MaxNameLength)]
    public string? WorkerName { get; set; }

    /// <summary>Largest JSON request body under /api (logins, mappings, user records are a few hundred bytes).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxJsonBodyBytes { get; set; } = 64 * 1024;
}
