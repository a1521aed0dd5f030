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

    /// <summary>Catalog searches one client address may make per minute (10 a second: more than any person types); 0 = no limit.</summary>
    [Range(0, 1_000_000)]
    public int MaxSearchesPerAddressPerMinute { get; set; } = 600;

    /// <summary>Four per core: enough to keep the CPUs busy while some requests wait on I/O.</summary>
    public static int DefaultConcurrentRequests => 4 * Environment.ProcessorCount;

    /// <summary>API requests that run at once (see <see cref="RequestConcurrency"/>); default <see cref="DefaultConcurrentRequests"/>.</summary>
    [Range(1, 1024)]
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>API requests that may wait for a turn; beyond it a request is answered 503 at once.</summary>
    [Range(0, 100_000)]
    public int RequestQueueLimit { get; set; } = 1_000;
}
